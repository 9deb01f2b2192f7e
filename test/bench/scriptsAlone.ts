import type { SandboxApplier, SshExecutor } from "../e2e/applier";
import { readRemoteCommand, type RemoteCommandSpec } from "../e2e/applier/remoteCommand";
import { epochMs } from "../e2e/support/meter";
import type { TimedRun } from "./floor";

const COMMAND = "command:remote:Command";

/** The remote commands of a converge per host, each host's in the order the engine runs them. */
export interface ConvergeCommands {
  readonly flaskHost: readonly RemoteCommandSpec[];
  /** The aaPanel firewall (when configured), then htpasswd, then the site. */
  readonly aapanelHost: readonly RemoteCommandSpec[];
}

/**
 * The commands exactly as the applier ran them (command string, stdin, connection), read
 * from its state after a converge, by the program's resource names for one tier.
 */
export function convergeCommands(applier: SandboxApplier, tier: string): ConvergeCommands {
  const spec = (name: string): RemoteCommandSpec | undefined => {
    const record = applier.record(COMMAND, name);
    return record === undefined ? undefined : readRemoteCommand(record.inputs, name);
  };
  const required = (name: string): RemoteCommandSpec => {
    const found = spec(name);
    if (found === undefined) throw new Error(`the converge left no ${name} command in state (renamed?)`);
    return found;
  };
  const aapanelFirewall = spec(`${tier}-aapanel-firewall-rules`);
  return {
    flaskHost: [required(`${tier}-firewall-rules`)],
    aapanelHost: [...(aapanelFirewall === undefined ? [] : [aapanelFirewall]), required(`${tier}-edge-htpasswd`), required(`${tier}-edge-site`)],
  };
}

/**
 * cm-infra's scripts without the program around them: each `create` on its own SSH session
 * through the applier's transport, one after another, as @pulumi/command runs them. This
 * measures the firewall script alone, as the floor script is measured.
 */
export async function runScriptsAlone(ssh: SshExecutor, commands: ConvergeCommands): Promise<{ readonly flaskHost: TimedRun; readonly aapanelHost: TimedRun }> {
  const run = async (specs: readonly RemoteCommandSpec[]): Promise<TimedRun> => {
    const startedAt = epochMs();
    for (const spec of specs) {
      const result = await ssh({ connection: spec.connection, command: spec.create ?? "", stdin: spec.stdin === "" ? undefined : spec.stdin, environment: spec.environment });
      if (result.exitCode !== 0) throw new Error(`cm-infra's script exited ${result.exitCode} alone: ${result.stderr}`);
    }
    return { startedAt, endedAt: epochMs() };
  };
  const flaskHost = await run(commands.flaskHost);
  const aapanelHost = await run(commands.aapanelHost);
  return { flaskHost, aapanelHost };
}
