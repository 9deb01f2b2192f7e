import type { NginxLayout } from "../../config/types";
import type { PlainConfig } from "../../config/validate";
import { lanWebEndpoint } from "../containers";
import { edgePaths } from "./paths";
import { renderSiteConf } from "./siteConf";
import type { EdgeSite, EdgeSiteSettings, EdgeSiteSpec } from "./types";

/**
 * The one place an edge site is put together: every path from the layout, the htpasswd
 * path from those, and the nginx file rendered.
 */
export function edgeSite(settings: EdgeSiteSettings, layout: NginxLayout): EdgeSite {
  const paths = edgePaths(layout, settings.tier);
  const spec: EdgeSiteSpec = { ...settings, htpasswdPath: paths.htpasswdFile };
  return {
    tier: settings.tier,
    layout,
    paths,
    spec,
    files: [{ path: paths.siteConf, content: renderSiteConf(spec) }],
  };
}

/** The edge site a tier's config stands for (the program, the drift check and the tests take it from here). */
export function edgeSiteOf(config: PlainConfig): EdgeSite {
  return edgeSite(
    {
      tier: config.tier,
      domain: config.domain,
      upstream: lanWebEndpoint(config),
      rateLimit: config.edge.rateLimit,
      contentSecurityPolicy: config.edge.contentSecurityPolicy,
      hstsMaxAgeSeconds: config.edge.hstsMaxAgeSeconds,
      listenPort: config.edge.listenPort,
      tls: config.edge.tls,
      http2: config.edge.http2,
    },
    config.edge.layout,
  );
}
