import { ANY_SOURCE, adminSourceProblems } from "./values/addresses";
import { type Reader, show } from "./reader";
import type { FirewallConfig } from "./types";

export function readFirewall(read: Reader, value: unknown): FirewallConfig {
  const raw = read.section("firewall", value, ["adminSources", "enableUfw"], { optional: true });
  const sources = raw.adminSources ?? [ANY_SOURCE];
  const adminSources: string[] = [];
  if (!Array.isArray(sources) || sources.length === 0) {
    read.add("firewall.adminSources", `must be a non-empty list of IPv4 addresses/networks or "${ANY_SOURCE}" (an empty list would lock SSH out), got ${show(sources)}`);
  } else {
    sources.forEach((source: unknown, index) => {
      const key = `firewall.adminSources[${index}]`;
      if (typeof source !== "string") read.add(key, `must be an IPv4 address, network or "${ANY_SOURCE}", got ${show(source)}`);
      else if (read.check(key, adminSourceProblems(source))) adminSources.push(source);
    });
  }
  return { adminSources, enableUfw: read.boolean("firewall.enableUfw", raw.enableUfw, false) };
}
