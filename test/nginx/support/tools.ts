import { execFile, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

export const execFileAsync = promisify(execFile);

/**
 * These tests exercise the real programs the edge host runs. A missing tool is a failed
 * run, not a skipped one, so CI cannot go green without having tested anything.
 */
export function requireTool(name: string, aptPackage: string): string {
  const folders = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"];
  for (const folder of folders) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} is not installed; these tests need it. Install it with: apt-get install ${aptPackage}`);
}

export function requireNginx(): string {
  return requireTool("nginx", "nginx");
}

/** Asks the kernel for a free loopback port (tiny race window, fine for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries an assertion while nginx finishes a reload in the background (bounded). */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await sleep(50);
    }
  }
}

/** `http2 on;` exists since nginx 1.25.1; Debian 12 ships 1.22. */
export function nginxSupportsHttp2Directive(): boolean {
  // nginx -v prints its banner on stderr.
  const banner = spawnSync(requireNginx(), ["-v"], { encoding: "utf8" }).stderr;
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(banner);
  if (version === null) throw new Error(`cannot read the nginx version from ${JSON.stringify(banner)}`);
  const [major, minor, patch] = version.slice(1).map(Number);
  return major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)));
}
