import { spawnSync } from "node:child_process";
import { type SandboxHost, type SandboxState, loadSandbox, runSandboxScript, sandboxStatePath } from "../../firewall/support/sandboxHosts";

export { stopSandbox } from "../../firewall/support/sandboxHosts";

export interface Sandbox extends SandboxState {
  /** sandbox.json itself: the sandbox stack's `sandboxState`. */
  readonly statePath: string;
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

/**
 * Builds what is missing (base, hosts, stand-in app), starts the hosts and pushes the app
 * images to the sandbox's registry, from which the sandbox stack pulls them (nothing is
 * preloaded on the Flask host's engine), as `npm run sandbox:up` does.
 */
export function startSandbox(prefix: string): Sandbox {
  runSandboxScript("up.sh", prefix, 20 * 60_000);
  runSandboxScript("app/build.sh", prefix, 15 * 60_000);
  runSandboxScript("push-images.sh", prefix, 15 * 60_000);
  return { ...loadSandbox(prefix), statePath: sandboxStatePath(prefix) };
}

/** A command on one of the sandbox hosts (as that host's root, not over the network). */
export function onHost(host: SandboxHost, args: readonly string[], input?: string): Run {
  return run("docker", ["exec", ...(input === undefined ? [] : ["-i"]), host.container, ...args], { input });
}

/** A request from a LAN host's point of view: curl inside that host. */
export function curlFrom(host: SandboxHost, url: string, extra: readonly string[] = []): Run {
  return onHost(host, ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...extra, url]);
}
