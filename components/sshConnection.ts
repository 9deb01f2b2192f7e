import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import type { SshHostConfig } from "../config/types";

/**
 * The one SSH connection every remote command uses.
 * - hostKey: @pulumi/command verifies nothing unless a key is pinned.
 * - dialErrorLimit: the provider retries authentication failures too; a low limit keeps a
 *   wrong key from tripping fail2ban on the host.
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
export const REMOTE_COMMAND_DEFAULTS = {
  addPreviousOutputInEnv: false,
  logging: "stderr",
} as const satisfies Partial<command.remote.CommandArgs>;
