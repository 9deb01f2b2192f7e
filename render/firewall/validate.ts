import { adminSourceListProblems, ipv4SourceProblems } from "../../config/values/addresses";
import { portProblems } from "../../config/values/numbers";
import type { FirewallSpec } from "./types";

/**
 * Invariant checks on a firewall spec, by the same value rules config validation applies
 * with the key named (config/values). Values end up inside iptables and ufw arguments, so
 * anything unexpected is refused here instead of being quoted into a rule that means
 * something else.
 */
export function firewallSpecProblems(spec: FirewallSpec): string[] {
  const problems: string[] = [];
  for (const [name, port] of [
    ["webPort", spec.webPort],
    ["apiPort", spec.apiPort],
    ["sshPort", spec.sshPort],
  ] as const) {
    problems.push(...portProblems(port).map((problem) => `${name} must be a port number: ${problem}`));
  }
  if (new Set([spec.webPort, spec.apiPort, spec.sshPort]).size !== 3) {
    problems.push("webPort, apiPort and sshPort must differ");
  }
  for (const source of [spec.proxyAddress, ...spec.extraAllowedSources]) {
    problems.push(...ipv4SourceProblems(source).map((problem) => `allowed web source ${problem}`));
  }
  problems.push(...adminSourceListProblems(spec.adminSources));
  return problems;
}

export function assertValidFirewallSpec(spec: FirewallSpec): void {
  const problems = firewallSpecProblems(spec);
  if (problems.length > 0) {
    throw new Error(`invalid firewall settings for tier ${spec.tier} (renderer invariant: config validation refuses these):\n  ${problems.join("\n  ")}`);
  }
}
