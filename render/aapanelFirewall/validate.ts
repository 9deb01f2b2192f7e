import { adminSourceListProblems } from "../../config/values/addresses";
import { portProblems } from "../../config/values/numbers";
import type { AaPanelFirewallSpec } from "./types";

/**
 * Invariant checks with the value rules config validation applies (with the key named):
 * the values end up inside ufw arguments and bash arrays.
 */
export function aapanelFirewallSpecProblems(spec: AaPanelFirewallSpec): string[] {
  const problems: string[] = [];
  for (const [name, port] of [
    ["sshPort", spec.sshPort],
    ["panelPort", spec.panelPort],
    ...spec.webPorts.map((port) => ["web port", port] as const),
  ] as const) {
    problems.push(...portProblems(port).map((problem) => `${name} must be a port number: ${problem}`));
  }
  if (spec.sshPort === spec.panelPort) problems.push("sshPort and panelPort must differ");
  for (const [name, port] of [
    ["sshPort", spec.sshPort],
    ["panelPort", spec.panelPort],
  ] as const) {
    if (spec.webPorts.includes(port)) problems.push(`${name} ${port} is also a web port, which every address may reach`);
  }
  if (spec.webPorts.length === 0) problems.push("webPorts must not be empty");
  problems.push(...adminSourceListProblems(spec.adminSources));
  return problems;
}

export function assertValidAaPanelFirewallSpec(spec: AaPanelFirewallSpec): void {
  const problems = aapanelFirewallSpecProblems(spec);
  if (problems.length > 0) {
    throw new Error(`invalid aaPanel firewall settings for tier ${spec.tier} (renderer invariant: config validation refuses these):\n  ${problems.join("\n  ")}`);
  }
}
