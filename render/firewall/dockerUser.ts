import type { FirewallSpec } from "./types";

/** Per-tier chain jumped to from DOCKER-USER; iptables allows 28 characters. */
export function tierChainName(tier: string): string {
  return `cm-infra-${tier}`;
}

/**
 * Matches the port the client connected to before Docker's DNAT, not the container's
 * internal port: every web-view container listens on 8000, so matching 8000 would open
 * all tiers at once. "ctstate DNAT" keeps a container's own outgoing connection to some
 * remote port 8001 out of it.
 */
function connectedToPort(port: number): string {
  return `-p tcp -m conntrack --ctstate DNAT --ctdir ORIGINAL --ctorigdstport ${port}`;
}

function asSourceFlag(source: string): string {
  return source.includes("/") ? source : `${source}/32`;
}

/**
 * The tier's fragment in iptables-restore syntax. Only ":" and "-A" lines are copied into
 * the managed block of /etc/ufw/after.rules, so "#" lines are notes for whoever reads the
 * file on the host.
 */
export function renderDockerUserFragment(spec: FirewallSpec): string {
  const chain = tierChainName(spec.tier);
  const allowed = [spec.proxyAddress, ...spec.extraAllowedSources];
  return [
    `# cm-infra tier ${spec.tier}: written by cm-infra on every apply; edits are overwritten.`,
    `:${chain} - [0:0]`,
    `-A DOCKER-USER -j ${chain}`,
    ...allowed.map((source) => `-A ${chain} -s ${asSourceFlag(source)} ${connectedToPort(spec.webPort)} -j RETURN`),
    `-A ${chain} ${connectedToPort(spec.webPort)} -j DROP`,
    `-A ${chain} ${connectedToPort(spec.apiPort)} -j DROP`,
  ].join("\n");
}
