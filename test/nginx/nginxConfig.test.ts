import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { nginxSupportsHttp2Directive, requireTool } from "./support/tools";
import { renderServerBlock } from "../../render/nginx/serverBlock";
import { edgeSite } from "../../render/nginx/site";

describe("tool discovery", () => {
  it("fails the run with an install hint when a tool is missing, instead of skipping", () => {
    expect(() => requireTool("cm-infra-no-such-tool", "nginx")).toThrow(/not installed.*apt-get install nginx/);
  });
});

describe("rendered configs under a real nginx -t (aaPanel-like tree)", () => {
  let sandbox: NginxSandbox;
  let tls: { certificate: string; certificateKey: string };

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    const openssl = requireTool("openssl", "openssl");
    tls = { certificate: join(sandbox.root, "cert.pem"), certificateKey: join(sandbox.root, "key.pem") };
    execFileSync(openssl, ["req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-days", "1", "-subj", "/CN=cm.test", "-keyout", tls.certificateKey, "-out", tls.certificate], { stdio: "ignore" });
  });
  afterAll(async () => sandbox?.stop());

  it("accepts two plain tiers next to the panel's own zones (perip, perserver, $connection_upgrade)", async () => {
    sandbox.writeFiles(edgeSite(edgeSettings("dev", 9000, { listenPort: 18080 }), sandbox.layout).files);
    sandbox.writeFiles(edgeSite(edgeSettings("sandbox", 9000, { listenPort: 18081, contentSecurityPolicy: false }), sandbox.layout).files);
    const result = await sandbox.test();
    expect(result.output).toContain("test is successful");
    expect(result.ok).toBe(true);
  });

  it("accepts a TLS tier (without http2 on nginx < 1.25.1)", async () => {
    sandbox.writeFiles(edgeSite(edgeSettings("rex", 9000, { listenPort: 18443, tls, http2: false }), sandbox.layout).files);
    expect(await sandbox.test()).toMatchObject({ ok: true });
  });

  it("accepts a TLS tier's state half-way off the two-file layout: the new file in the zone file's place, the old server beside it", async () => {
    const site = edgeSite(edgeSettings("rex", 9000, { listenPort: 18443, tls, http2: false }), sandbox.layout);
    const changed = edgeSite(edgeSettings("rex", 9000, { listenPort: 18443, tls, http2: nginxSupportsHttp2Directive(), contentSecurityPolicy: false }), sandbox.layout);
    sandbox.writeFiles([
      { path: site.paths.legacyHttpLevelConf, content: changed.files[0].content },
      { path: site.paths.siteConf, content: renderServerBlock(site.spec) },
    ]);
    const result = await sandbox.test();
    rmSync(site.paths.legacyHttpLevelConf);
    sandbox.writeFiles(site.files);
    expect(result, result.output).toMatchObject({ ok: true });
    // Two servers for one name on one port: nginx warns and serves the first it loads.
    expect(result.output).toContain('conflicting server name "rex.cm.test" on 0.0.0.0:18443, ignored');
  });

  it("uses `http2 on;`, which this nginx accepts exactly when it is >= 1.25.1", async () => {
    sandbox.writeFiles(edgeSite(edgeSettings("rex", 9000, { listenPort: 18443, tls, http2: true }), sandbox.layout).files);
    const result = await sandbox.test();
    if (nginxSupportsHttp2Directive()) {
      expect(result).toMatchObject({ ok: true });
    } else {
      expect(result.ok).toBe(false);
      expect(result.output).toContain('unknown directive "http2"');
    }
  });
});
