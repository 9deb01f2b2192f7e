import type { NginxLayout, ServiceName, TierName } from "./types";

/** The web port each tier publishes, as the operator guide assigns them. */
export const DEFAULT_WEB_PORT: Readonly<Record<TierName, number>> = {
  rex: 8001,
  siong: 8005,
  dev: 8000,
  sandbox: 8001,
};

export const API_PORT = 3000;

/** aaPanel 8.x's layout (see README "Where the edge files live"). */
export const AAPANEL_LAYOUT: NginxLayout = {
  vhostDir: "/www/server/panel/vhost/nginx",
  passDir: "/www/server/pass",
  stateDir: "/var/lib/cm-infra",
  nginxBinary: "/www/server/nginx/sbin/nginx",
  nginxConf: "/www/server/nginx/conf/nginx.conf",
  reloadCommand: "/etc/init.d/nginx reload",
};

export const DEFAULT_MEMORY_MB: Readonly<Record<ServiceName, number>> = {
  mysql: 768,
  "api-server": 384,
  "web-view": 384,
  "telegram-bot": 256,
  "credit-transfer": 256,
};

/**
 * Default Content-Security-Policy for the Flask pages: everything from the site's own
 * origin ('self' covers its scripts, styles, fonts and XHR), no inline script or style,
 * so an injected `<script>` does not run. `data:` images keep small inline icons working
 * (Bootstrap's CSS embeds SVGs that way). form-action, base-uri and frame-ancestors do not
 * fall back to default-src, so they are spelled out; frame-ancestors matches X-Frame-Options.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The secrets every tier needs; `pulumi config set --secret <key>` sets them. */
export const APP_SECRET_KEYS = [
  "dbPassword",
  "dbRootPassword",
  "agentId",
  "agentPassword",
  "securityPin",
  "telegramBotToken",
] as const;
export type AppSecretKey = (typeof APP_SECRET_KEYS)[number];

export const SSH_KEY_SECRET = "sshPrivateKey";

/** Password for images.registryAuth; required exactly when registryAuth is set. */
export const REGISTRY_PASSWORD_SECRET = "registryPassword";
