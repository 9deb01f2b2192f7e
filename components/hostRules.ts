import * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";
import { type RemoteScripts, withReapplyGeneration } from "../render/remoteScripts";
import { scriptedCommand } from "./scriptedCommand";

/** What either host's firewall takes: where, and its rules as the renderer's spec. */
export interface HostRulesArgs<Spec> {
  readonly host: SshHostConfig;
  readonly privateKey: pulumi.Output<string>;
  readonly spec: Spec;
  /** See CmConfig.reapplyGeneration. */
  readonly reapplyGeneration: string;
}

/**
 * A host's firewall rules (the Flask host's or the aaPanel host's): one command running
 * the scripts rendered from the spec. Its place is the host: moving to another host
 * replaces it, the old host's delete first.
 */
export abstract class HostRules<Spec> extends pulumi.ComponentResource {
  /** The script's summary line. */
  public readonly result: pulumi.Output<string>;

  protected constructor(type: string, name: string, args: HostRulesArgs<Spec>, render: (spec: Spec) => RemoteScripts, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    const scripts = withReapplyGeneration(render(args.spec), args.reapplyGeneration);
    const hostIdentity = [args.host.address, String(args.host.sshPort)];
    this.result = scriptedCommand(`${name}-rules`, { host: args.host, privateKey: args.privateKey, scripts, triggers: hostIdentity }, { parent: this }).stdout;
    this.registerOutputs({ result: this.result });
  }
}
