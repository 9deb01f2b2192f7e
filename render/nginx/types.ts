import type { EdgeConfig, NginxLayout, TierName } from "../../config/types";

/**
 * What one tier's site serves, as its config decides it, before any path on the host: the
 * edge settings as config holds them (config/types.ts says what each means), and the
 * site's name and upstream.
 */
export interface EdgeSiteSettings extends Pick<EdgeConfig, "rateLimit" | "contentSecurityPolicy" | "hstsMaxAgeSeconds" | "listenPort" | "tls" | "http2"> {
  readonly tier: TierName;
  /** Single host name for `server_name`, e.g. "dev.example.com". */
  readonly domain: string;
  /** Where nginx proxies to: the Flask host as seen from the aaPanel host. */
  readonly upstream: { readonly address: string; readonly port: number };
}

/** Everything the server block renders from: the settings, and where the htpasswd lives. */
export interface EdgeSiteSpec extends EdgeSiteSettings {
  readonly htpasswdPath: string;
}

/** Every path on the aaPanel host that the edge scripts create, replace or remove. */
export interface EdgePaths {
  /**
   * The tier's one nginx file: its limit_req_zone, then the tool-owned `server {}` (not a
   * panel site, so no panel flow rewrites it).
   */
  readonly siteConf: string;
  /**
   * Where earlier versions kept the zone in a file of its own; the scripts merge it into
   * siteConf and remove it, never write it otherwise.
   */
  readonly legacyHttpLevelConf: string;
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

/**
 * One tier's complete site on the aaPanel host, built once (site.ts): the component, the
 * drift check and the tests all take it, so no path or file is derived twice.
 */
export interface EdgeSite {
  readonly tier: TierName;
  readonly layout: NginxLayout;
  readonly paths: EdgePaths;
  readonly spec: EdgeSiteSpec;
  /** The nginx files with their content (one: the zone and the server that uses it share it). */
  readonly files: readonly ManagedFile[];
}
