import { execFileSync } from "node:child_process";
import { expect } from "vitest";
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

/**
 * What every firewall-family script (either host's) looks like from the outside: the
 * title, the rendered values from LABEL on, strict mode before any code, ufw in the C
 * locale, the family's 120 s lock wait, and the run's one summary line last.
 */
export function expectFirewallScriptFrame(script: string, label: string): void {
  expect(script).toMatch(new RegExp(`^# .*\\nreadonly LABEL="${label}"\\n`));
  const strict = script.indexOf("\nset -euo pipefail\n");
  expect(strict).toBeLessThan(script.indexOf("() {"));
  expect(script.indexOf("\nexport LC_ALL=C\n")).toBeGreaterThan(strict);
  expect(script).toContain('\nreadonly LOCK_WAIT="120"\n');
  expect(script.trimEnd().endsWith('summarize_run "$BEFORE"')).toBe(true);
}
