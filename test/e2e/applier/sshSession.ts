import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "./processRunner";
import type { ProcessResult, SshConnection, SshExecutor, SshSession } from "./types";

/** The per-session files ssh reads: they hold the key and env values, so never argv. */
export interface SshSessionFiles {
  readonly configFile: string;
  readonly identityFile: string;
  readonly knownHostsFile: string;
}

/** ssh checks the pinned key under this name, whatever address or port is dialled. */
export const PINNED_HOST_ALIAS = "pinned-host";

/**
 * The `ssh` argv for one session, matching @pulumi/command's Go client: no user config,
 * no agent, key auth only, the host key pinned (refused otherwise), and the command
 * string as ONE argument after `--`, which ssh sends unchanged for the remote login
 * shell to run as `$SHELL -c '<command>'` (the provider's session.Run does the same).
 */
export function sshArgv(connection: SshConnection, files: SshSessionFiles, command: string): string[] {
  const options: Record<string, string> = {
    BatchMode: "yes",
    IdentitiesOnly: "yes",
    IdentityAgent: "none",
    PasswordAuthentication: "no",
    KbdInteractiveAuthentication: "no",
    ControlMaster: "no",
    ControlPath: "none",
    RequestTTY: "no",
    LogLevel: "ERROR",
    // The provider gives up after more than dialErrorLimit failed dials, i.e. limit + 1
    // attempts (pulumi-command v1.2.1 remote/connection.go reachedDialingErrorLimit), each
    // bounded by perDialTimeout. (OpenSSH retries only failed connections, not failed auth.)
    ConnectionAttempts: String(connection.dialErrorLimit + 1),
    ConnectTimeout: String(connection.perDialTimeout),
    GlobalKnownHostsFile: "/dev/null",
    // Without hostKey the provider accepts any key; with it, only that key, and it offers
    // only the key's own type as host-key algorithm (remote/connection.go SSHConfig:
    // HostKeyAlgorithms = [publicKey.Type()]): an "ssh-rsa" pin offers SHA-1 ssh-rsa alone,
    // which OpenSSH >= 8.8 servers refuse.
    ...(connection.hostKey === undefined
      ? { StrictHostKeyChecking: "no", UserKnownHostsFile: "/dev/null" }
      : {
          StrictHostKeyChecking: "yes",
          UserKnownHostsFile: files.knownHostsFile,
          HostKeyAlias: PINNED_HOST_ALIAS,
          HostKeyAlgorithms: connection.hostKey.trim().split(/\s+/)[0] ?? "",
        }),
  };
  return [
    "-F", files.configFile,
    ...(connection.privateKey === undefined ? [] : ["-i", files.identityFile]),
    ...Object.entries(options).flatMap(([name, value]) => ["-o", `${name}=${value}`]),
    "-p", String(connection.port),
    "-l", connection.user,
    connection.host,
    "--",
    command,
  ];
}

/**
 * ssh_config for the session: one `SetEnv` line (ssh keeps only the first SetEnv line
 * it reads), i.e. SSH "env" requests like the provider's session.Setenv. Stock sshd
 * accepts just LANG/LC_* and drops the rest, as it would for the provider.
 */
export function sshConfigText(environment: Readonly<Record<string, string>>): string {
  const words = Object.entries(environment).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`environment: "${name}" is not a variable name`);
    if (/[\r\n\0]/.test(value)) throw new Error(`environment: ${name} contains a newline or NUL, which ssh_config SetEnv cannot carry`);
    return `${name}="${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
  });
  return words.length === 0 ? "" : `SetEnv ${words.join(" ")}\n`;
}

export function knownHostsText(hostKey: string | undefined): string {
  return hostKey === undefined ? "" : `${PINNED_HOST_ALIAS} ${hostKey.trim()}\n`;
}

/** Runs sessions with the local OpenSSH client; key and env live in a 0700 temp dir. */
export function openSshExecutor(sshBinary = "ssh"): SshExecutor {
  return async (session: SshSession): Promise<ProcessResult> => {
    const dir = await mkdtemp(join(tmpdir(), "cm-applier-ssh-"));
    try {
      const files: SshSessionFiles = {
        configFile: join(dir, "config"),
        identityFile: join(dir, "identity"),
        knownHostsFile: join(dir, "known_hosts"),
      };
      const key = session.connection.privateKey;
      // OpenSSH rejects a key file whose last line lacks its newline.
      if (key !== undefined) await writeFile(files.identityFile, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
      await writeFile(files.knownHostsFile, knownHostsText(session.connection.hostKey), { mode: 0o600 });
      await writeFile(files.configFile, sshConfigText(session.environment), { mode: 0o600 });
      return await runProcess(sshBinary, sshArgv(session.connection, files, session.command), session.stdin);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
