import type { EdgeSiteSpec } from "./types";
import { rateLimitZoneName } from "./paths";
import { renderScannerDeflection } from "./scannerDeflection";
import { renderAddHeaders, renderHideUpstreamHeaders, securityHeaders } from "./securityHeaders";
import { assertAbsolutePath, assertDomain, assertPort, assertPositiveInteger, assertUpstreamAddress } from "./validate";

const INDENT = "    ";

function indented(lines: readonly string[]): string[] {
  return lines.map((line) => (line === "" ? "" : `${INDENT}${line}`));
}

function block(opening: string, body: readonly string[]): string[] {
  return [`${opening} {`, ...indented(body), "}"];
}

function renderListen(spec: EdgeSiteSpec): string[] {
  assertPort("listenPort", spec.listenPort);
  if (spec.tls === null) {
    return [`listen ${spec.listenPort};`];
  }
  assertAbsolutePath("tls.certificate", spec.tls.certificate);
  assertAbsolutePath("tls.certificateKey", spec.tls.certificateKey);
  return [
    `listen ${spec.listenPort} ssl;`,
    // aaPanel rewrites `listen ... http2` in vhost files; the separate directive survives that.
    ...(spec.http2 ? ["http2 on;"] : []),
    `ssl_certificate ${spec.tls.certificate};`,
    `ssl_certificate_key ${spec.tls.certificateKey};`,
    "ssl_protocols TLSv1.2 TLSv1.3;",
  ];
}

function upstreamUrl(spec: EdgeSiteSpec): string {
  assertUpstreamAddress(spec.upstream.address);
  assertPort("upstream.port", spec.upstream.port);
  const host = spec.upstream.address.includes(":") ? `[${spec.upstream.address}]` : spec.upstream.address;
  return `http://${host}:${spec.upstream.port}`;
}

function renderRobots(): string[] {
  // `return` answers before auth_basic, so crawlers get this without credentials.
  return block("location = /robots.txt", ["default_type text/plain;", 'return 200 "User-agent: *\\nDisallow: /\\n";']);
}

function renderProxy(spec: EdgeSiteSpec): string[] {
  return block("location /", [
    `proxy_pass ${upstreamUrl(spec)};`,
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "# The operator's Basic credentials are for this edge only; the app must not see or log them.",
    'proxy_set_header Authorization "";',
    "proxy_read_timeout 60s;",
    "# aaPanel's http-level proxy.conf caches every proxied site; this app's pages are per-request.",
    "proxy_cache off;",
    ...renderHideUpstreamHeaders(securityHeaders(spec)),
  ]);
}

/** A complete, tool-owned `server {}` for one tier (not an aaPanel site). */
export function renderServerBlock(spec: EdgeSiteSpec): string {
  assertDomain("domain", spec.domain);
  assertAbsolutePath("htpasswdPath", spec.htpasswdPath);
  assertPositiveInteger("rateLimit.burst", spec.rateLimit.burst);
  const body = [
    ...renderListen(spec),
    `server_name ${spec.domain};`,
    "server_tokens off;",
    "",
    `auth_basic "${spec.tier} restricted";`,
    `auth_basic_user_file ${spec.htpasswdPath};`,
    "",
    "# Checked before auth_basic, so password guessing is rate limited too.",
    `limit_req zone=${rateLimitZoneName(spec.tier)} burst=${spec.rateLimit.burst} nodelay;`,
    "limit_req_status 429;",
    "",
    ...renderAddHeaders(securityHeaders(spec)),
    "",
    ...renderScannerDeflection(),
    "",
    ...renderRobots(),
    "",
    ...renderProxy(spec),
  ];
  return [...block("server", body), ""].join("\n");
}
