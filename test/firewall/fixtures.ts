import { execFileSync } from "node:child_process";
import type { FirewallSpec } from "../../render/firewall/types";

/** rex as configured in production, with the sandbox's proxy address filled in by tests. */
export function rexSpec(overrides: Partial<FirewallSpec> = {}): FirewallSpec {
  return {
    tier: "rex",
    webPort: 8001,
    apiPort: 3000,
    proxyAddress: "10.0.0.2",
    extraAllowedSources: [],
    adminSources: ["any"],
    sshPort: 22,
    enableUfw: true,
    ...overrides,
  };
}

export function devSpec(overrides: Partial<FirewallSpec> = {}): FirewallSpec {
  return rexSpec({ tier: "dev", webPort: 8000, extraAllowedSources: ["127.0.0.1"], ...overrides });
}

/** What the remote bash receives: let a shell take the command string apart. */
export function scriptInside(command: string): string {
  return execFileSync("/bin/sh", ["-c", `set -- ${command}; printf '%s' "$3"`], { encoding: "utf8" });
}
