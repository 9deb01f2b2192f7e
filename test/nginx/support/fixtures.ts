import { execFileSync } from "node:child_process";
import type { NginxLayout, TierName } from "../../../config/types";
import { DEFAULT_CONTENT_SECURITY_POLICY } from "../../../config/defaults";
import { edgePaths } from "../../../render/nginx/paths";
import type { EdgeSiteSpec } from "../../../render/nginx/types";
import { requireTool } from "./tools";

export function edgeSpec(tier: TierName, layout: NginxLayout, upstreamPort: number, overrides: Partial<EdgeSiteSpec> = {}): EdgeSiteSpec {
  return {
    tier,
    domain: `${tier}.cm.test`,
    upstream: { address: "127.0.0.1", port: upstreamPort },
    htpasswdPath: edgePaths(layout, tier).htpasswdFile,
    rateLimit: { ratePerSecond: 20, zoneSizeMb: 1, burst: 20 },
    contentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY,
    hstsMaxAgeSeconds: 31536000,
    listenPort: 8080,
    tls: null,
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
