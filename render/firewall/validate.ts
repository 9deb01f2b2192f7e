import type { FirewallSpec } from "./types";
import { ANY_SOURCE } from "./types";

// Values end up inside iptables and ufw arguments, so anything unexpected is refused
// here instead of being quoted into a rule that means something else. IPv4 only: ufw
// prints IPv6 sources in a normalised form, and ownership is matched on that text.
const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** ufw rewrites 10.0.0.5/24 as 10.0.0.0/24; only canonical networks match what ufw prints. */
function isCanonicalIpv4Source(source: string): boolean {
  const [address, prefix, ...rest] = source.split("/");
  if (rest.length > 0 || address === undefined || !IPV4.test(address)) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return false;
  const hostBits = 32 - Number(prefix);
  return ipv4ToNumber(address) % 2 ** hostBits === 0 && Number(prefix) < 32;
}

export function firewallSpecProblems(spec: FirewallSpec): string[] {
  const problems: string[] = [];
  for (const [name, port] of [
    ["webPort", spec.webPort],
    ["apiPort", spec.apiPort],
    ["sshPort", spec.sshPort],
  ] as const) {
    if (!isPort(port)) problems.push(`${name} must be a port number 1-65535, got ${port}`);
  }
  if (new Set([spec.webPort, spec.apiPort, spec.sshPort]).size !== 3) {
    problems.push("webPort, apiPort and sshPort must differ");
  }
  for (const source of [spec.proxyAddress, ...spec.extraAllowedSources]) {
    if (!isCanonicalIpv4Source(source)) {
      problems.push(`allowed web source "${source}" must be an IPv4 address or network (a.b.c.0/24)`);
    }
  }
  if (spec.adminSources.length === 0) {
    problems.push(`adminSources must not be empty (use ["${ANY_SOURCE}"]), or SSH would be locked out`);
  }
  for (const source of spec.adminSources) {
    if (source !== ANY_SOURCE && !isCanonicalIpv4Source(source)) {
      problems.push(`admin source "${source}" must be "${ANY_SOURCE}" or an IPv4 address or network`);
    }
  }
  return problems;
}

export function assertValidFirewallSpec(spec: FirewallSpec): void {
  const problems = firewallSpecProblems(spec);
  if (problems.length > 0) {
    throw new Error(`invalid firewall settings for tier ${spec.tier}:\n  ${problems.join("\n  ")}`);
  }
}
