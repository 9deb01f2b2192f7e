import { isIPv6 } from "node:net";
import { show } from "./text";

// The firewall writes IPv4 rules only (ufw prints IPv6 sources in a normalised form and
// ownership is matched on that text), so every address it must filter is IPv4.
const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

/** Admin sources may say "any": every address, IPv4 and IPv6. */
export const ANY_SOURCE = "any";

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** Numeric order of two dotted IPv4 addresses (10.0.0.2 before 127.0.0.1 before 192.0.2.1). */
export function compareIpv4(left: string, right: string): number {
  return ipv4ToNumber(left) - ipv4ToNumber(right);
}

export function isUnspecifiedIpv4(text: string): boolean {
  return text === "0.0.0.0";
}

export function isLoopbackIpv4(text: string): boolean {
  return isIpv4(text) && text.startsWith("127.");
}

/** A dotted IPv4 address; IPv6 is named as such, since the firewall could not filter it. */
export function ipv4Problems(text: string): string[] {
  if (isIpv4(text)) return [];
  if (isIPv6(text)) return [`${show(text)} is IPv6: the firewall writes IPv4 rules only, so nothing would filter it; use the host's IPv4 address`];
  return [`${show(text)} is not an IPv4 address (a.b.c.d, each part 0-255)`];
}

/** Where the deployer connects over SSH: a real host, not "every interface". */
export function sshAddressProblems(text: string): string[] {
  const problems = ipv4Problems(text);
  if (problems.length > 0) return problems;
  return isUnspecifiedIpv4(text) ? [`"0.0.0.0" is the unspecified address, not a host: use the host's IPv4 address`] : [];
}

/**
 * The aaPanel host as the Flask host's firewall sees it: the one source allowed to reach
 * the web port. Loopback would allow the Flask host itself instead of the proxy.
 */
export function proxySourceProblems(text: string): string[] {
  const problems = sshAddressProblems(text);
  if (problems.length > 0) return problems;
  return isLoopbackIpv4(text)
    ? [`${show(text)} is loopback: the Flask host's firewall would allow itself instead of the proxy; use the aaPanel host's LAN address`]
    : [];
}

/**
 * The address web-view is published on. 0.0.0.0 publishes it on every interface; loopback
 * is unreachable from the aaPanel host, whose nginx would proxy to itself.
 */
export function publishAddressProblems(text: string, proxied: boolean): string[] {
  const problems = ipv4Problems(text);
  if (problems.length > 0) return problems;
  if (isUnspecifiedIpv4(text)) {
    return [`"0.0.0.0" would publish web-view on every interface and make the edge proxy to itself; use the Flask host's LAN address`];
  }
  if (proxied && isLoopbackIpv4(text)) {
    return [`${show(text)} is loopback: the edge on the aaPanel host would proxy to itself; use the Flask host's LAN address (or publishThroughEdge: false)`];
  }
  return [];
}

/**
 * A source in a firewall rule: an IPv4 address or a canonical IPv4 network. ufw rewrites
 * 10.0.0.5/24 as 10.0.0.0/24, and rules are matched on what ufw prints.
 */
export function ipv4SourceProblems(text: string): string[] {
  const [address = "", prefix, ...rest] = text.split("/");
  if (rest.length > 0) return [`${show(text)} is not an IPv4 address or network (a.b.c.d or a.b.c.0/24)`];
  if (isIPv6(address)) return [`${show(text)} is IPv6: the firewall writes IPv4 rules only; use IPv4 addresses and networks`];
  if (!isIpv4(address)) return [`${show(text)} is not an IPv4 address or network (a.b.c.d or a.b.c.0/24)`];
  if (prefix === undefined) {
    return isUnspecifiedIpv4(address) ? [`"0.0.0.0" is the unspecified address, not a source: write "${ANY_SOURCE}" for every address`] : [];
  }
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return [`${show(text)} has a prefix length outside 0-32`];
  if (Number(prefix) === 0) return [`${show(text)} is every IPv4 address: write "${ANY_SOURCE}"`];
  if (Number(prefix) === 32) return [`${show(text)} is one address: write ${show(address)} without /32`];
  const size = 2 ** (32 - Number(prefix));
  const network = ipv4ToNumber(address) - (ipv4ToNumber(address) % size);
  if (network !== ipv4ToNumber(address)) {
    const canonical = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return [`${show(text)} has host bits set: ufw would store it as "${canonical}/${prefix}"; write that`];
  }
  return [];
}

/** A source allowed to reach SSH: "any", or an IPv4 address or network. */
export function adminSourceProblems(text: string): string[] {
  return text === ANY_SOURCE ? [] : ipv4SourceProblems(text);
}

/** A firewall's whole admin-source list: never empty (SSH would be locked out), each by adminSourceProblems. */
export function adminSourceListProblems(sources: readonly string[]): string[] {
  const problems = sources.length === 0 ? [`adminSources must not be empty (use ["${ANY_SOURCE}"]), or SSH would be locked out`] : [];
  for (const source of sources) problems.push(...adminSourceProblems(source).map((problem) => `admin source ${problem}`));
  return problems;
}
