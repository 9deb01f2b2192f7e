import { execFileSync } from "node:child_process";
import type { TierName } from "../../../config/types";
import { DEFAULT_CONTENT_SECURITY_POLICY } from "../../../config/defaults";
import type { EdgeSiteSettings } from "../../../render/nginx/types";
import { requireTool } from "./tools";

/** A tier's site settings for tests (no TLS, http2 off as in config); edgeSite() places it on a layout. */
export function edgeSettings(tier: TierName, upstreamPort: number, overrides: Partial<EdgeSiteSettings> = {}): EdgeSiteSettings {
  return {
    tier,
    domain: `${tier}.cm.test`,
    upstream: { address: "127.0.0.1", port: upstreamPort },
    rateLimit: { ratePerSecond: 20, zoneSizeMb: 1, burst: 20 },
    contentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY,
    hstsMaxAgeSeconds: 31536000,
    listenPort: 8080,
    tls: null,
    http2: false,
    ...overrides,
  };
}

/** bcrypt hash from Apache's htpasswd (the tool aaPanel itself uses); "$2y$" unless asked. */
export function bcryptHash(password: string, prefix: "$2y$" | "$2a$" = "$2y$", cost = 5): string {
  const htpasswd = requireTool("htpasswd", "apache2-utils");
  const line = execFileSync(htpasswd, ["-nbB", "-C", String(cost), "x", password], { encoding: "utf8" }).trim();
  // $2a$/$2y$ differ only in how old libraries handled 8-bit passwords; ASCII hashes are identical.
  return line.slice("x:".length).replace(/^\$2y\$/, prefix);
}
