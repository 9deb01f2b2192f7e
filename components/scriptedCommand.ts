import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";
import type { RemoteScripts } from "../render/remoteScripts";

/**
 * The one SSH connection every remote command uses.
 * - hostKey: @pulumi/command verifies nothing unless a key is pinned.
 * - dialErrorLimit: the provider retries every failed dial, authentication failures too,
 *   and gives up only after MORE than the limit (pulumi-command v1.2.1 remote/connection.go
 *   dialWithRetry + reachedDialingErrorLimit: 3 allows 4 attempts). Kept low so a wrong key
 *   stays under fail2ban's default of 5 failures.
 */
export function sshConnection(host: SshHostConfig, privateKey: pulumi.Input<string>): command.types.input.remote.ConnectionArgs {
  return {
    host: host.address,
    port: host.sshPort,
    user: host.sshUser,
    privateKey,
    hostKey: host.hostKey,
    dialErrorLimit: 3,
    perDialTimeout: 15,
  };
}

/**
 * Options every remote command shares: no previous output in the environment (large
 * stdout has hit E2BIG), and only stderr in the deploy log (errors and warnings); the
 * one-line summary on stdout is kept as the resource's output instead.
 */
const REMOTE_COMMAND_DEFAULTS = {
  addPreviousOutputInEnv: false,
  logging: "stderr",
} as const satisfies Partial<command.remote.CommandArgs>;

export interface ScriptedCommandArgs {
  readonly host: SshHostConfig;
  readonly privateKey: pulumi.Input<string>;
  readonly scripts: RemoteScripts;
  /** Replaces the scripts' own stdin, e.g. with a secret rendered from an Output. */
  readonly stdin?: pulumi.Input<string>;
  /** Where the command's files live: a change replaces it, old delete first. */
  readonly triggers: readonly string[];
}

/**
 * A remote command running rendered scripts. Replacement is delete-before-create: the
 * engine otherwise creates the replacement first, and the old delete would then remove
 * what the new create just installed.
 */
export function scriptedCommand(name: string, args: ScriptedCommandArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
  const stdin = args.stdin ?? (args.scripts.stdin === "" ? undefined : args.scripts.stdin);
  return new command.remote.Command(
    name,
    {
      ...REMOTE_COMMAND_DEFAULTS,
      connection: sshConnection(args.host, args.privateKey),
      create: args.scripts.create,
      update: args.scripts.update,
      delete: args.scripts.delete,
      stdin,
      triggers: [...args.triggers],
    },
    { ...opts, deleteBeforeReplace: true },
  );
}
