import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONTENT_SECURITY_POLICY } from "../../config/defaults";
import { renderHtpasswd } from "../../render/nginx/htpasswd";
import { edgeSite } from "../../render/nginx/site";
import type { EdgeSiteSettings } from "../../render/nginx/types";
import { burstStatuses, curl } from "./support/curl";
import { bcryptHash, edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { APP_PATHS, ENCODED_SCANNER_PATHS, SCANNER_PATHS } from "./support/scannerPaths";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { freePort, nginxSupportsHttp2Directive, requireTool, sleep } from "./support/tools";

const OPERATOR = "operator:correct-horse";
const AUDITOR = "auditor:battery-staple";

describe("edge site behaviour on a real nginx", () => {
  let sandbox: NginxSandbox;
  let upstream: StubUpstream;
  let dev: EdgeSiteSettings;
  let noCsp: EdgeSiteSettings;
  let withTls: EdgeSiteSettings;
  let paths: EdgeSiteSettings;

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    const [devPort, noCspPort, tlsPort, pathsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const tls = { certificate: join(sandbox.root, "cert.pem"), certificateKey: join(sandbox.root, "key.pem") };
    execFileSync(requireTool("openssl", "openssl"), ["req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-days", "1", "-subj", "/CN=cm.test", "-keyout", tls.certificateKey, "-out", tls.certificate], { stdio: "ignore" });
    dev = edgeSettings("dev", upstream.port, { listenPort: devPort });
    noCsp = edgeSettings("sandbox", upstream.port, { listenPort: noCspPort, contentSecurityPolicy: false });
    withTls = edgeSettings("rex", upstream.port, { listenPort: tlsPort, tls, http2: nginxSupportsHttp2Directive() });
    // Its own zone with room for the long path lists, so no answer there is a 429.
    paths = edgeSettings("siong", upstream.port, { listenPort: pathsPort, rateLimit: { ratePerSecond: 1000, zoneSizeMb: 1, burst: 1000 } });
    // $2y$ as `htpasswd -B` writes it, and $2a$ cost 10 as random.RandomPassword.bcryptHash does.
    const users =
      renderHtpasswd("operator", bcryptHash("correct-horse")) + renderHtpasswd("auditor", bcryptHash("battery-staple", "$2a$", 10));
    for (const spec of [dev, noCsp, withTls, paths]) {
      const site = edgeSite(spec, sandbox.layout);
      sandbox.writeFiles([...site.files, { path: site.paths.htpasswdFile, content: users }]);
    }
    await sandbox.start();
  });
  afterAll(async () => {
    await sandbox?.stop();
    await upstream?.close();
  });

  const get = (path: string, user?: string) => curl(dev.listenPort, path, { host: dev.domain, user });
  const getPath = (path: string, user?: string) => curl(paths.listenPort, path, { host: paths.domain, user });

  it("asks for credentials and rejects wrong ones", async () => {
    expect((await get("/")).status).toBe(401);
    expect((await get("/", "operator:wrong")).status).toBe(401);
    expect((await get("/", "nobody:correct-horse")).status).toBe(401);
  });

  it("proxies authenticated requests with forwarding headers, $2y$ and $2a$ hashes alike", async () => {
    for (const user of [OPERATOR, AUDITOR]) {
      const response = await get("/hello?x=1", user);
      expect(response.status).toBe(200);
      const echoed = JSON.parse(response.body) as { path: string; headers: Record<string, string> };
      expect(echoed.path).toBe("/hello?x=1");
      expect(echoed.headers).toMatchObject({
        host: dev.domain,
        "x-real-ip": "127.0.0.1",
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-proto": "http",
      });
      expect(echoed.headers).not.toHaveProperty("authorization");
    }
  });

  it("closes the connection on scanner paths, with or without credentials: no response, no upstream hit, no access-log line", async () => {
    const probes = [...SCANNER_PATHS, ...ENCODED_SCANNER_PATHS];
    const seenBefore = upstream.seen.length;
    const answered: { path: string; user?: string; exitCode: number; status: number }[] = [];
    for (const path of probes) {
      for (const user of [undefined, OPERATOR]) {
        const { exitCode, status } = await getPath(path, user);
        if (exitCode !== 52) answered.push({ path, user, exitCode, status });
      }
    }
    // Every offender at once, not just the first.
    expect(answered).toEqual([]);
    expect(upstream.seen.length).toBe(seenBefore);
    await getPath("/access-log-marker");
    const log = readFileSync(sandbox.accessLog, "utf8");
    expect(log).toContain("/access-log-marker");
    for (const path of probes) expect(log).not.toContain(`"GET ${path} `);
  });

  it("proxies app paths that only look like scanner targets, path and query unchanged", async () => {
    const wrong: { path: string; status: number; upstreamSaw?: string }[] = [];
    for (const path of APP_PATHS) {
      const seenBefore = upstream.seen.length;
      const { status } = await getPath(path, OPERATOR);
      const upstreamSaw = upstream.seen.length > seenBefore ? upstream.seen.at(-1)?.path : undefined;
      if (status !== 200 || upstreamSaw !== path) wrong.push({ path, status, upstreamSaw });
    }
    expect(wrong).toEqual([]);
  });

  it("asks app paths that only look like scanner targets for credentials, like any app path", async () => {
    const wrong: { path: string; status: number }[] = [];
    for (const path of APP_PATHS) {
      const { status } = await getPath(path);
      if (status !== 401) wrong.push({ path, status });
    }
    expect(wrong).toEqual([]);
  });

  it("serves robots.txt without credentials", async () => {
    const response = await get("/robots.txt");
    expect(response.status).toBe(200);
    expect(response.body).toBe("User-agent: *\nDisallow: /\n");
  });

  it("stamps security headers on app answers and on 401s, replacing the app's own", async () => {
    for (const response of [await get("/", OPERATOR), await get("/")]) {
      expect(response.headers).toMatchObject({
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "content-security-policy": DEFAULT_CONTENT_SECURITY_POLICY,
      });
      expect(response.headers).not.toHaveProperty("strict-transport-security");
      expect(response.headers).not.toHaveProperty("server", expect.stringMatching(/\d/));
    }
  });

  it("leaves CSP out when configured off", async () => {
    const response = await curl(noCsp.listenPort, "/", { host: noCsp.domain, user: OPERATOR });
    expect(response.status).toBe(200);
    expect(response.headers).not.toHaveProperty("content-security-policy");
    expect(response.headers["x-frame-options"]).toBe("DENY");
  });

  it("sends HSTS over TLS", async () => {
    const response = await curl(withTls.listenPort, "/", { host: withTls.domain, user: OPERATOR, https: true });
    expect(response.status).toBe(200);
    expect(response.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(JSON.parse(response.body)).toMatchObject({ headers: { "x-forwarded-proto": "https" } });
  });

  it("answers 429 once a burst exceeds the allowance", async () => {
    // Let the bucket drain from the earlier tests: burst / rate seconds, plus slack.
    await sleep((dev.rateLimit.burst / dev.rateLimit.ratePerSecond) * 1000 + 300);
    const statuses = await burstStatuses(dev.listenPort, "/burst", 200, dev.domain, OPERATOR);
    expect(statuses).toHaveLength(200);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    expect(statuses.slice(0, dev.rateLimit.burst + 1).every((status) => status === 200)).toBe(true);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(100);
  });
});
