import { ANY_SOURCE, adminSourceProblems } from "./values/addresses";
import { type Reader, show } from "./reader";
import type { FirewallConfig } from "./types";

/**
 * A list of admin sources under `key`, each by the one rule for them (config/values):
 * IPv4 addresses or canonical networks, or "any"; never empty, which would lock SSH out.
 * Both hosts' firewalls read theirs with it; what an absent list means is the caller's.
 */
export function readAdminSourceList(read: Reader, key: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    read.add(key, `must be a non-empty list of IPv4 addresses/networks or "${ANY_SOURCE}" (an empty list would lock SSH out), got ${show(value)}`);
    return [];
  }
  const sources: string[] = [];
  value.forEach((source: unknown, index) => {
    const at = `${key}[${index}]`;
    if (typeof source !== "string") read.add(at, `must be an IPv4 address, network or "${ANY_SOURCE}", got ${show(source)}`);
    else if (read.check(at, adminSourceProblems(source))) sources.push(source);
  });
  return sources;
}

export function readFirewall(read: Reader, value: unknown): FirewallConfig {
  const raw = read.section("firewall", value, ["adminSources", "enableUfw"], { optional: true });
  const adminSources = readAdminSourceList(read, "firewall.adminSources", raw.adminSources ?? [ANY_SOURCE]);
  return { adminSources, enableUfw: read.boolean("firewall.enableUfw", raw.enableUfw, false) };
}
