import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { PROJECT, resolve, settle, stackConfig } from "../../support/program";
import { type ApplierCounters, SandboxApplier, dockerOverSsh } from "../applier";
import type { HostMeter } from "./meter";
import type { Sandbox } from "./sandbox";

export interface Applied {
  readonly counters: ApplierCounters;
  readonly outputs: Record<string, unknown>;
  readonly seconds: number;
}

/**
 * The real program (index.ts with Pulumi.sandbox.yaml) applied to the sandbox hosts by
 * the test-only applier, one "pulumi up" per apply(), state kept between them.
 */
export class SandboxDeployment {
  private readonly scratch = mkdtempSync(join(tmpdir(), "cm-e2e-"));
  private readonly docker;
  readonly applier: SandboxApplier;

  constructor(
    private readonly sandbox: Sandbox,
    meter?: HostMeter,
  ) {
    const flask = sandbox.hosts.flaskhost;
    this.docker = dockerOverSsh({ address: flask.address, port: flask.sshPort, user: "root", identityFile: sandbox.sshKey, hostKey: flask.hostKey });
    const docker = meter ? meter.docker(flask.address, this.docker.run) : this.docker.run;
    this.applier = new SandboxApplier({ statePath: join(this.scratch, "state.json"), dockerRunnerFor: () => docker, ssh: meter?.ssh() });
  }

  /** `run.secrets`: config set with `--secret` ("key" without namespace -> value). */
  async apply(overrides: Record<string, string> = {}, run: { readonly refresh?: boolean; readonly secrets?: Readonly<Record<string, string>> } = {}): Promise<Applied> {
    const started = process.hrtime.bigint();
    await this.applier.install(PROJECT, "sandbox", run);
    const config: Record<string, string> = { ...stackConfig("sandbox"), [`${PROJECT}:sandboxState`]: this.sandbox.statePath };
    for (const [key, value] of Object.entries(overrides)) config[`${PROJECT}:${key}`] = value;
    for (const [key, value] of Object.entries(run.secrets ?? {})) config[`${PROJECT}:${key}`] = value;
    pulumi.runtime.setAllConfig(config, Object.keys(run.secrets ?? {}).map((key) => `${PROJECT}:${key}`));
    vi.resetModules();
    const program = (await import("../../../index")) as Record<string, unknown>;
    // finish() first: a failed step leaves its outputs unresolved forever.
    const counters = await this.applier.finish();
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program)) outputs[name] = pulumi.Output.isInstance(value) ? await resolve(value) : value;
    await settle();
    return { counters, outputs, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  destroy(): Promise<ApplierCounters> {
    return this.applier.destroy();
  }

  /** docker on the Flask host's engine, as the program's provider reaches it. */
  dockerOnFlaskHost(args: readonly string[]) {
    return this.docker.run(args);
  }

  close(): void {
    this.docker.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
