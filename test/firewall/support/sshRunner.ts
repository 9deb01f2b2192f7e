import { spawn } from "node:child_process";

/** How the deployer reaches one host: the same pinned-key SSH @pulumi/command uses. */
export interface SshTarget {
  readonly address: string;
  readonly sshPort: number;
  readonly user: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

export function sshArguments(target: SshTarget, command: string): string[] {
  return [
    "-i", target.privateKeyPath,
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", `UserKnownHostsFile=${target.knownHostsPath}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=5",
    // @pulumi/command retries a failed dial (remote/connection.go, dialErrorLimit); so do
    // these, so a moment of load on a 2-core runner (a SYN unanswered for 5 s) is not read
    // as a lock-out. A host that really refuses SSH still fails, after three attempts.
    "-o", "ConnectionAttempts=3",
    "-o", "LogLevel=ERROR",
    "-p", String(target.sshPort),
    `${target.user}@${target.address}`,
    command,
  ];
}

/**
 * Runs one command string on a host the way @pulumi/command's remote.Command does: the
 * string goes to the remote login shell as is, stdin is piped in. Killed after timeoutMs.
 */
export function runOverSsh(
  target: SshTarget,
  command: string,
  options: { readonly stdin?: string; readonly timeoutMs?: number } = {},
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", sshArguments(target, command), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : -1), stdout, stderr, durationMs: Date.now() - started });
    });
    // A child that exits before reading its stdin (a host mid-reboot refusing the
    // connection) must fail its own check, not crash the run with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
  });
}

/** Like runOverSsh, but a non-zero exit is an error that shows what the host said. */
export async function mustRunOverSsh(target: SshTarget, command: string, timeoutMs?: number): Promise<string> {
  const result = await runOverSsh(target, command, { timeoutMs });
  if (result.exitCode !== 0) {
    throw new Error(
      `ssh ${target.address} exited ${result.exitCode}: ${command.slice(0, 200)}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}
