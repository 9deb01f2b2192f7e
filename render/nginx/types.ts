import type { RateLimitConfig, TierName, TlsConfig } from "../../config/types";

/** Everything the edge renderers need about one tier's site on the aaPanel host. */
export interface EdgeSiteSpec {
  readonly tier: TierName;
  /** Single host name for `server_name`, e.g. "dev.example.com". */
  readonly domain: string;
  /** Where nginx proxies to: the Flask host as seen from the aaPanel host. */
  readonly upstream: { readonly address: string; readonly port: number };
  /** Usually `edgePaths(layout, tier).htpasswdFile`. */
  readonly htpasswdPath: string;
  readonly rateLimit: RateLimitConfig;
  /** false leaves the Content-Security-Policy header out entirely. */
  readonly contentSecurityPolicy: string | false;
  /** Only emitted when TLS is configured (browsers ignore HSTS over plain HTTP). */
  readonly hstsMaxAgeSeconds: number;
  readonly listenPort: number;
  readonly tls: TlsConfig | null;
  /**
   * Emit `http2 on;` with TLS (default true). That directive needs nginx >= 1.25.1;
   * older builds (e.g. aaPanel's nginx 1.24, Debian 12's 1.22) reject it, so set false there.
   */
  readonly http2?: boolean;
}

/** Every path on the aaPanel host that the edge scripts create, replace or remove. */
export interface EdgePaths {
  /** http-level file holding the tier's limit_req_zone; `0.` sorts it with the panel's own. */
  readonly httpLevelConf: string;
  /** The tool-owned `server {}`; not a panel site, so no panel flow rewrites it. */
  readonly serverConf: string;
  readonly htpasswdDir: string;
  readonly htpasswdFile: string;
  /** Host-wide lock shared by every stack that edits this nginx. */
  readonly lockFile: string;
  /** Manifest, previous versions and scratch space of this tier's edge site. */
  readonly tierStateDir: string;
  readonly manifest: string;
  readonly previousDir: string;
}

/** A file the edge scripts install, with its full content. */
export interface ManagedFile {
  readonly path: string;
  readonly content: string;
}
