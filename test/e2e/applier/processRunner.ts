import { spawn } from "node:child_process";
import type { ProcessResult } from "./types";

/**
 * Runs a program without a shell, piping `stdin` (closed right away when absent, so
 * nothing waits for a terminal). Never throws on a non-zero exit: callers decide.
 */
export function runProcess(file: string, args: readonly string[], stdin?: string, env?: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ["pipe", "pipe", "pipe"], env: env ?? process.env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    // A child that exits without reading its stdin must not crash us with EPIPE.
    child.stdin.on("error", () => undefined);
    child.on("close", (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
    child.stdin.end(stdin ?? "");
  });
}
