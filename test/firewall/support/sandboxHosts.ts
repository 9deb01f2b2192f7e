import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SshTarget } from "./sshRunner";

export const SANDBOX_DIR = join(__dirname, "..", "..", "..", "sandbox");
export const SANDBOX_ROLES = ["proxy", "flaskhost", "lan"] as const;
export type SandboxRole = (typeof SANDBOX_ROLES)[number];

export interface SandboxHost {
  readonly container: string;
  readonly address: string;
  readonly sshPort: number;
  readonly hostKey: string;
}

/** sandbox/.state/<prefix>/sandbox.json as sandbox/up.sh writes it. */
export interface SandboxState {
  readonly prefix: string;
  readonly network: string;
  readonly sshKey: string;
  readonly knownHosts: string;
  readonly hosts: Readonly<Record<SandboxRole, SandboxHost>>;
}

export function sandboxStatePath(prefix: string): string {
  return join(SANDBOX_DIR, ".state", prefix, "sandbox.json");
}

export function loadSandbox(prefix: string): SandboxState {
  return JSON.parse(readFileSync(sandboxStatePath(prefix), "utf8")) as SandboxState;
}

export function sshTargetOf(sandbox: SandboxState, role: SandboxRole): SshTarget {
  const host = sandbox.hosts[role];
  return {
    address: host.address,
    sshPort: host.sshPort,
    user: "root",
    privateKeyPath: sandbox.sshKey,
    knownHostsPath: sandbox.knownHosts,
  };
}

export function dockerIsAvailable(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export type SandboxScript = "up.sh" | "down.sh" | "app/build.sh" | "push-images.sh";

export function runSandboxScript(script: SandboxScript, prefix: string, timeoutMs: number): void {
  execFileSync(join(SANDBOX_DIR, script), [], {
    env: { ...process.env, CM_SANDBOX_PREFIX: prefix },
    stdio: ["ignore", "ignore", "inherit"],
    timeout: timeoutMs,
  });
}

/** Starts a fresh sandbox (removing a leftover one of the same prefix first). */
export function startFreshSandbox(prefix: string, timeoutMs: number): SandboxState {
  runSandboxScript("down.sh", prefix, 120_000);
  runSandboxScript("up.sh", prefix, timeoutMs);
  return loadSandbox(prefix);
}

export function stopSandbox(prefix: string): void {
  runSandboxScript("down.sh", prefix, 120_000);
}

/** A reboot as far as a container goes: its entrypoint runs ufw-init, then dockerd, again. */
export function restartSandboxHost(sandbox: SandboxState, role: SandboxRole): void {
  execFileSync("docker", ["restart", "-t", "30", sandbox.hosts[role].container], { stdio: "ignore", timeout: 120_000 });
}
