import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..", "..");
const SANDBOX = join(ROOT, "sandbox");

interface Host {
  readonly container: string;
  readonly address: string;
  readonly sshPort: number;
  readonly hostKey: string;
}
export interface Sandbox {
  readonly prefix: string;
  readonly statePath: string;
  readonly sshKey: string;
  readonly knownHosts: string;
  readonly hosts: { readonly proxy: Host; readonly flaskhost: Host; readonly lan: Host };
}

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Run {
  const result = spawnSync(command, args, {
    input: options.input,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? (result.error ? String(result.error) : "") };
}

function script(path: string, prefix: string, timeoutMs: number): void {
  const result = run("bash", [join(SANDBOX, path)], { env: { ...process.env, CM_SANDBOX_PREFIX: prefix }, timeoutMs });
  if (result.status !== 0) throw new Error(`sandbox/${path} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
}

/** Builds what is missing (base, hosts, stand-in app), starts the hosts and loads the app images. */
export function startSandbox(prefix: string): Sandbox {
  script("up.sh", prefix, 20 * 60_000);
  script("app/build.sh", prefix, 15 * 60_000);
  script("load-images.sh", prefix, 10 * 60_000);
  const statePath = join(SANDBOX, ".state", prefix, "sandbox.json");
  return { ...(JSON.parse(readFileSync(statePath, "utf8")) as Omit<Sandbox, "statePath">), statePath };
}

export function stopSandbox(prefix: string): void {
  script("down.sh", prefix, 5 * 60_000);
}

/** A command on one of the sandbox hosts (as that host's root, not over the network). */
export function onHost(host: Host, args: readonly string[], input?: string): Run {
  return run("docker", ["exec", ...(input === undefined ? [] : ["-i"]), host.container, ...args], { input });
}

/** A request from a LAN host's point of view: curl inside that host. */
export function curlFrom(host: Host, url: string, extra: readonly string[] = []): Run {
  return onHost(host, ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...extra, url]);
}
