import type { FirewallSpec } from "../render/firewall/types";
import type { EdgeSiteSpec } from "../render/nginx/types";
import type { PlainConfig } from "./validate";

/**
 * The renderer inputs a tier's config stands for. The program and the drift check both
 * build them here, so drift is measured against exactly what the program installs.
 */
export function firewallSpecOf(config: PlainConfig): FirewallSpec {
  return {
    tier: config.tier,
    webPort: config.webPort,
    apiPort: config.apiPort,
    proxyAddress: config.aapanelHost.address,
    // The dev PC's own browser reaches its web port too.
    extraAllowedSources: config.tier === "dev" ? ["127.0.0.1"] : [],
    adminSources: config.firewall.adminSources,
    sshPort: config.flaskHost.sshPort,
    enableUfw: config.firewall.enableUfw,
  };
}

export function edgeSiteSpecOf(config: PlainConfig): Omit<EdgeSiteSpec, "htpasswdPath"> {
  return {
    tier: config.tier,
    domain: config.domain,
    upstream: { address: config.lanAddress, port: config.webPort },
    rateLimit: config.edge.rateLimit,
    contentSecurityPolicy: config.edge.contentSecurityPolicy,
    hstsMaxAgeSeconds: config.edge.hstsMaxAgeSeconds,
    listenPort: config.edge.listenPort,
    tls: config.edge.tls,
    http2: config.edge.http2,
  };
}
