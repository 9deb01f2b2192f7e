import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asRemoteCommand, shellQuote } from "../../render/remoteScripts";
import { openSshExecutor, type SshExecutor } from "../e2e/applier";
import { epochMs } from "../e2e/support/meter";
import type { SandboxHost } from "../firewall/support/sandboxHosts";
import type { EdgeWork, FirewallWork } from "./peerWork";

const FLOOR_DIR = join(__dirname, "..", "..", "bench", "floor");

export interface TimedRun {
  readonly startedAt: number;
  readonly endedAt: number;
}

function assignments(values: Readonly<Record<string, string | readonly string[]>>): string {
  return Object.entries(values)
    .map(([name, value]) => (typeof value === "string" ? `${name}=${shellQuote(value)}` : `${name}=(${value.map(shellQuote).join(" ")})`))
    .join("\n");
}

/**
 * The floor scripts (bench/floor/*.sh), one SSH session per host, sent exactly as cm-infra's
 * scripts are (values in front, `/bin/bash -c '<script>'`, the applier's SSH transport with
 * @pulumi/command's options); the htpasswd line goes on stdin, never on a command line.
 */
export class FloorRunner {
  private readonly ssh: SshExecutor = openSshExecutor();

  constructor(private readonly privateKey: string) {}

  firewall(host: SandboxHost, work: FirewallWork): Promise<TimedRun> {
    const values = assignments({
      TIER: work.tier,
      FRAGMENT_FILE: work.fragmentFile,
      FRAGMENT: work.fragment,
      AFTER_RULES: work.afterRules,
      BLOCK_BEGIN: work.blockBegin,
      BLOCK_END: work.blockEnd,
      BLOCK_BODY: work.blockBody,
      LOCK_FILE: work.lockFile,
      COMMENT: work.comment,
      UFW_RULES: work.ufwRules,
    });
    return this.run(host, values, "firewall.sh", undefined);
  }

  edge(host: SandboxHost, work: EdgeWork): Promise<TimedRun> {
    const values = assignments({
      UFW_RULES: work.ufwRules,
      UFW_COMMENT: work.ufwComment,
      LOCK_FILE: work.lockFile,
      HTPASSWD_DIR: work.htpasswdDir,
      HTPASSWD_FILE: work.htpasswdFile,
      HTPASSWD_GROUP: work.htpasswdGroup,
      RELOAD_COMMAND: work.reloadCommand,
      FILE_PATHS: work.files.map((file) => file.path),
      FILE_CONTENTS: work.files.map((file) => file.content),
    });
    return this.run(host, values, "edge.sh", `${work.htpasswdLine}\n`);
  }

  private async run(host: SandboxHost, values: string, script: string, stdin: string | undefined): Promise<TimedRun> {
    const part = (file: string) => readFileSync(join(FLOOR_DIR, file), "utf8");
    const command = asRemoteCommand(`${values}\n${part("ufwRules.sh")}${part(script)}`);
    const startedAt = epochMs();
    const result = await this.ssh({
      connection: { host: host.address, port: host.sshPort, user: "root", privateKey: this.privateKey, hostKey: host.hostKey, dialErrorLimit: 3, perDialTimeout: 15 },
      command,
      stdin,
      environment: {},
    });
    const endedAt = epochMs();
    if (result.exitCode !== 0) throw new Error(`floor ${script} on ${host.container} exited ${result.exitCode}: ${result.stderr}`);
    return { startedAt, endedAt };
  }
}
