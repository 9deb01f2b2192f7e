import { spawn } from "node:child_process";

export interface RemoteRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a RemoteScripts command the way sshd does: the login shell's `-c` with stdin piped. */
export function runRemote(command: string, stdin: string): Promise<RemoteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A child that exits before reading its stdin (a host mid-reboot refusing the
    // connection) must fail its own check, not crash the run with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
}

/** Undoes asRemoteCommand, so shellcheck sees exactly the script that would be sent. */
export function scriptOf(command: string): string {
  const prefix = "/bin/bash -c '";
  if (!command.startsWith(prefix) || !command.endsWith("'")) {
    throw new Error("not an asRemoteCommand string");
  }
  return command.slice(prefix.length, -1).split(`'\\''`).join("'");
}

/** The one summary line every edge/htpasswd script prints. */
export function summaryOf(run: RemoteRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => / result=\w+ reloaded=(yes|no)$/.test(line));
  if (lines.length !== 1) {
    throw new Error(`expected exactly one summary line, got ${lines.length}:\n${run.stdout}\n${run.stderr}`);
  }
  return lines[0];
}
