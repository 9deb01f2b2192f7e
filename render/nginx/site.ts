import type { PlainConfig } from "../../config/validate";
import type { EdgeSiteSpec } from "./types";

/** The edge site a tier's config stands for (program, drift check and tests take it from here). */
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
