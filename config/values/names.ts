import { isIpv4 } from "./addresses";
import { show } from "./text";

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS host name (one or more labels): letters, digits and inner '-', dot-separated. */
export function hostNameProblems(text: string): string[] {
  const labels = text.split(".");
  if (text.length === 0 || text.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return [`${show(text)} is not a host name (letters, digits and '-' in dot-separated labels of 1-63)`];
  }
  // "192.0.2.300" is a mistyped address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return [`${show(text)} is neither a host name nor an IPv4 address`];
  return [];
}

/** A host that is either an IPv4 address or a DNS name. */
export function hostProblems(text: string): string[] {
  return isIpv4(text) ? [] : hostNameProblems(text);
}

/** A public domain for nginx's server_name: a host name with at least two labels. */
export function domainProblems(text: string): string[] {
  const problems = hostNameProblems(text);
  if (problems.length > 0) return problems;
  return /\.[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/.test(text) ? [] : [`${show(text)} is not a domain name (e.g. "rex.example.com")`];
}

/**
 * A name that ends up inside nginx, iptables or shell text (users, database names,
 * generations): letters, digits, '.', '_' and '-', starting with a letter or digit, so it
 * can never be read as an option.
 */
export function tokenProblems(text: string): string[] {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)
    ? []
    : [`${show(text)} may hold only letters, digits, '.', '_' and '-' (1-64, starting with a letter or digit)`];
}

/** A container user as "uid:gid"; root (0) is refused. */
export function nonRootUidGidProblems(text: string): string[] {
  return /^[1-9]\d{0,9}:[1-9]\d{0,9}$/.test(text) ? [] : [`${show(text)} must be a non-root "uid:gid" (e.g. "10001:10001")`];
}
