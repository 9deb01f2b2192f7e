import { AAPANEL_LAYOUT } from "../../config/defaults";
import { describe, expect, it } from "vitest";
import type { NginxLayout } from "../../config/types";
import { edgePaths, rateLimitZoneName } from "../../render/nginx/paths";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { encodeFileFrames } from "../../render/nginx/fileFrames";
import { isBcryptHash, renderHtpasswd } from "../../render/nginx/htpasswd";
import { renderHttpLevel } from "../../render/nginx/httpLevel";
import { renderServerBlock } from "../../render/nginx/serverBlock";
import { SCANNER_PATTERNS } from "../../render/nginx/scannerDeflection";
import { edgeSettings } from "./support/fixtures";
import { APP_PATHS, SCANNER_PATHS } from "./support/scannerPaths";
import { edgeSite } from "../../render/nginx/site";

const layout: NginxLayout = AAPANEL_LAYOUT;
const tls = { certificate: "/etc/ssl/cm/fullchain.pem", certificateKey: "/etc/ssl/cm/privkey.pem" };
const HASH = `$2a$10$${"a".repeat(53)}`;

describe("paths and zone names", () => {
  it("gives every tier its own zone and files, outside the included folder for state", () => {
    expect(rateLimitZoneName("dev")).toBe("cm_infra_dev_req");
    expect(rateLimitZoneName("dev")).not.toBe(rateLimitZoneName("sandbox"));
    expect(renderHttpLevel(edgeSettings("rex", 8000))).toContain("zone=cm_infra_rex_req:1m rate=20r/s;");
    expect(edgePaths(layout, "dev")).toEqual({
      siteConf: "/www/server/panel/vhost/nginx/cm-infra-dev.conf",
      legacyHttpLevelConf: "/www/server/panel/vhost/nginx/0.cm-infra-dev.conf",
      htpasswdDir: "/www/server/pass/cm-infra-dev",
      htpasswdFile: "/www/server/pass/cm-infra-dev/dev.htpasswd",
      lockFile: "/var/lib/cm-infra/nginx.lock",
      tierStateDir: "/var/lib/cm-infra/edge/cm-infra-dev",
      manifest: "/var/lib/cm-infra/edge/cm-infra-dev/manifest",
      previousDir: "/var/lib/cm-infra/edge/cm-infra-dev/previous",
    });
  });

  it("refuses a state folder that nginx would load as config", () => {
    expect(() => edgePaths({ ...layout, stateDir: `${layout.vhostDir}/state` }, "dev")).toThrow(/must not be inside/);
  });
});

describe("the site file", () => {
  it("holds the zone first, then the server that uses it, the same bytes every time", () => {
    const render = () => edgeSite(edgeSettings("dev", 8000), layout).files;
    const files = render();
    expect(files.map((file) => file.path)).toEqual(["/www/server/panel/vhost/nginx/cm-infra-dev.conf"]);
    const text = files[0].content;
    expect(render()[0].content).toBe(text);
    const zone = text.indexOf("limit_req_zone $binary_remote_addr zone=cm_infra_dev_req:1m rate=20r/s;");
    expect(zone).toBeGreaterThan(0);
    expect(text.indexOf("\nserver {")).toBeGreaterThan(zone);
    expect(text.match(/limit_req_zone/g)).toHaveLength(1);
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("renderServerBlock", () => {
  const plain = edgeSite(edgeSettings("dev", 8000), layout).spec;

  it("is deterministic and contains the contract directives", () => {
    const text = renderServerBlock(plain);
    expect(renderServerBlock(plain)).toBe(text);
    for (const line of [
      "listen 8080;",
      "server_name dev.cm.test;",
      "server_tokens off;",
      'auth_basic "dev restricted";',
      "auth_basic_user_file /www/server/pass/cm-infra-dev/dev.htpasswd;",
      "limit_req zone=cm_infra_dev_req burst=20 nodelay;",
      "limit_req_status 429;",
      "proxy_pass http://127.0.0.1:8000;",
      "proxy_read_timeout 60s;",
    ]) {
      expect(text).toContain(line);
    }
  });

  it("adds HSTS only with TLS, and http2 only with TLS and when asked", () => {
    expect(renderServerBlock(plain)).not.toMatch(/Strict-Transport-Security|ssl|http2/);
    const withTls = renderServerBlock({ ...plain, tls, listenPort: 8443 });
    expect(withTls).toContain('add_header Strict-Transport-Security "max-age=31536000" always;');
    expect(withTls).toContain("listen 8443 ssl;\n    ssl_certificate");
    expect(withTls).not.toContain("http2");
    expect(renderServerBlock({ ...plain, tls, listenPort: 8443, http2: true })).toContain("listen 8443 ssl;\n    http2 on;");
    expect(renderServerBlock({ ...plain, http2: true })).not.toContain("http2");
  });

  it("drops Content-Security-Policy entirely when configured off", () => {
    const text = renderServerBlock({ ...plain, contentSecurityPolicy: false });
    expect(text).not.toContain("Content-Security-Policy");
    expect(text).toContain('add_header X-Frame-Options "DENY" always;');
  });

  it("keeps add_header out of locations (it would drop the server-level headers there)", () => {
    const insideLocations = renderServerBlock({ ...plain, tls }).split("\n").filter((line) => line.startsWith("        "));
    expect(insideLocations.join("\n")).not.toContain("add_header");
  });

  it("rejects values that could break out of a directive", () => {
    expect(() => renderServerBlock({ ...plain, domain: "a.test; return 200" })).toThrow(/domain/);
    expect(() => renderServerBlock({ ...plain, contentSecurityPolicy: 'default-src "x"' })).toThrow(/contentSecurityPolicy/);
    expect(() => renderServerBlock({ ...plain, htpasswdPath: "relative/file" })).toThrow(/htpasswdPath/);
    expect(() => renderServerBlock({ ...plain, listenPort: 70000 })).toThrow(/listenPort/);
  });

  it("brackets IPv6 upstreams", () => {
    expect(renderServerBlock({ ...plain, upstream: { address: "fd00::5", port: 8000 } })).toContain("proxy_pass http://[fd00::5]:8000;");
  });
});

describe("scanner patterns (same PCRE semantics nginx uses for these simple regexes)", () => {
  // nginx matches locations against the path alone, never the query string.
  const deflected = (path: string) => SCANNER_PATTERNS.some(({ regex }) => new RegExp(regex, "i").test(path.split("?")[0]));
  it.each(SCANNER_PATHS)("deflects %s", (path) => expect(deflected(path)).toBe(true));
  it.each(APP_PATHS)("passes %s", (path) => expect(deflected(path)).toBe(false));

  it("renders exactly these lines, byte for byte, on every call and tier", () => {
    // Pinned text: a change to what nginx is told must be a deliberate edit here too.
    const lines = String.raw`
    # Scanner probes: close the connection (444) without logging or asking for a password.
    location ~* /\.env([._~-][^/]*)?(/|$) { access_log off; return 444; } # dotenv files: .env, .env.local, .env.production, .env_sample, .env~
    location ~* /\.git(/|$) { access_log off; return 444; } # git metadata
    location ~* /\.aws(/|$) { access_log off; return 444; } # AWS credentials
    location ~* /\.dockerenv(/|$) { access_log off; return 444; } # container fingerprinting
    location ~* /\.ht(passwd|access)(/|$) { access_log off; return 444; } # Apache/nginx password and access files
    location ~* /\.npmrc(/|$) { access_log off; return 444; } # npm registry tokens
    location ~* \.php(/|$) { access_log off; return 444; } # the app has no PHP: /x.php/path-info, wp-login.php, xmlrpc.php
    location ~* /wp-(admin|content|includes)(/|$) { access_log off; return 444; } # WordPress folders
`;
    for (const tier of ["dev", "rex"] as const) {
      const text = renderServerBlock(edgeSite(edgeSettings(tier, 8000), layout).spec);
      expect(text).toContain(lines);
      expect(renderServerBlock(edgeSite(edgeSettings(tier, 8000), layout).spec)).toBe(text);
    }
  });
});

describe("renderHtpasswd", () => {
  it("accepts the bcrypt prefixes nginx understands", () => {
    expect(renderHtpasswd("operator", HASH)).toBe(`operator:${HASH}\n`);
    for (const prefix of ["$2a$", "$2b$", "$2y$"]) expect(isBcryptHash(`${prefix}05$${"b".repeat(53)}`)).toBe(true);
  });

  it.each(["", "a:b", "a\nb", "two words"])("rejects user %j", (user) => {
    expect(() => renderHtpasswd(user, HASH)).toThrow(/user/);
  });

  it("rejects non-bcrypt hashes without echoing them", () => {
    for (const hash of ["plain-secret", `$1$${"a".repeat(53)}`, `${HASH}\nx:y`, HASH.slice(0, -1)]) {
      expect(() => renderHtpasswd("operator", hash)).toThrow(/bcrypt/);
      try {
        renderHtpasswd("operator", hash);
      } catch (error) {
        expect(String(error)).not.toContain(hash);
      }
    }
  });
});

describe("edgeSiteScripts", () => {
  it("frames the one site file on stdin and keeps create and update identical", () => {
    const scripts = edgeSiteScripts(edgeSite(edgeSettings("dev", 8000), layout));
    expect(scripts.create).toBe(scripts.update);
    expect(scripts.create.startsWith("/bin/bash -c ")).toBe(true);
    expect(scripts.stdin.split("\n").filter((line) => line.startsWith("@file "))).toEqual([
      expect.stringMatching(/^@file [0-9a-f]{64} \/www\/server\/panel\/vhost\/nginx\/cm-infra-dev\.conf$/),
    ]);
    expect(scripts.stdin.endsWith("@eof 1\n")).toBe(true);
  });

  it("refuses content the frame format cannot carry", () => {
    expect(() => encodeFileFrames([{ path: "/x/a.conf", content: "no newline" }])).toThrow(/newline/);
  });
});
