import type { SandboxApplier, SshExecutor } from "../e2e/applier";
import { readRemoteCommand, type RemoteCommandSpec } from "../e2e/applier/remoteCommand";
import { epochMs } from "../e2e/support/meter";
import type { TimedRun } from "./floor";

const COMMAND = "command:remote:Command";

/** The remote commands of a converge, in the order the engine runs them: firewall first, the edge last. */
export interface ConvergeCommands {
  readonly firewall: readonly RemoteCommandSpec[];
  readonly edge: readonly RemoteCommandSpec[];
}

/**
 * The commands exactly as the applier ran them (command string, stdin, connection), read
 * from its state after a converge: the program's resource names for one tier.
 */
export function convergeCommands(applier: SandboxApplier, tier: string): ConvergeCommands {
  const spec = (name: string): RemoteCommandSpec => {
    const record = applier.record(COMMAND, name);
    if (record === undefined) throw new Error(`the converge left no ${name} command in state (renamed?)`);
    return readRemoteCommand(record.inputs, name);
  };
  return { firewall: [spec(`${tier}-firewall-rules`)], edge: [spec(`${tier}-edge-htpasswd`), spec(`${tier}-edge-site`)] };
}

/**
 * cm-infra's scripts without the program around them: each `create` on its own SSH session
 * through the applier's transport, one after another, as @pulumi/command runs them. This
 * is the firewall script measured alone, as the floor script is.
 */
export async function runScriptsAlone(ssh: SshExecutor, commands: ConvergeCommands): Promise<{ readonly firewall: TimedRun; readonly edge: TimedRun }> {
  const run = async (specs: readonly RemoteCommandSpec[]): Promise<TimedRun> => {
    const startedAt = epochMs();
    for (const spec of specs) {
      const result = await ssh({ connection: spec.connection, command: spec.create ?? "", stdin: spec.stdin === "" ? undefined : spec.stdin, environment: spec.environment });
      if (result.exitCode !== 0) throw new Error(`cm-infra's script exited ${result.exitCode} alone: ${result.stderr}`);
    }
    return { startedAt, endedAt: epochMs() };
  };
  const firewall = await run(commands.firewall);
  const edge = await run(commands.edge);
  return { firewall, edge };
}
