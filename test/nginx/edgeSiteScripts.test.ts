import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NginxLayout } from "../../config/types";
import { edgePaths } from "../../render/nginx/paths";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { encodeFileFrames } from "../../render/nginx/fileFrames";
import type { EdgeSiteSettings, ManagedFile } from "../../render/nginx/types";
import { curl } from "./support/curl";
import { edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { runRemote, summaryOf, type RemoteRun } from "./support/remote";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { eventually, freePort, requireTool, sleep } from "./support/tools";
import { edgeSite } from "../../render/nginx/site";

function snapshot(files: readonly { path: string }[]): Record<string, string | null> {
  return Object.fromEntries(files.map(({ path }) => [path, existsSync(path) ? readFileSync(path, "utf8") : null]));
}

function contentsOf(files: readonly ManagedFile[]): Record<string, string> {
  return Object.fromEntries(files.map(({ path, content }) => [path, content]));
}

describe("edge site scripts executed like the provider does", () => {
  let sandbox: NginxSandbox;
  let upstream: StubUpstream;
  let dev: EdgeSiteSettings;
  let neighbourTier: EdgeSiteSettings;

  const apply = (spec: EdgeSiteSettings, layout: NginxLayout, stdin?: string): Promise<RemoteRun> => {
    const scripts = edgeSiteScripts(edgeSite(spec, layout));
    return runRemote(scripts.update, stdin ?? scripts.stdin);
  };
  const remove = (spec: EdgeSiteSettings, layout: NginxLayout): Promise<RemoteRun> => runRemote(edgeSiteScripts(edgeSite(spec, layout)).delete, "");
  const served = (spec: EdgeSiteSettings) => curl(spec.listenPort, "/", { host: spec.domain });
  const expectReloads = (count: number) => eventually(async () => expect(sandbox.reloadCount()).toBe(count));
  const strayTempFiles = () =>
    [sandbox.layout.vhostDir, sandbox.altVhostDir].flatMap((folder) => readdirSync(folder)).filter((name) => name.includes("cm-infra-tmp"));

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    dev = edgeSettings("dev", upstream.port, { listenPort: await freePort() });
    neighbourTier = edgeSettings("sandbox", upstream.port, { listenPort: await freePort() });
    await sandbox.start();
  });
  afterAll(async () => {
    await sandbox?.stop();
    await upstream?.close();
  });

  it("first apply installs the site file, records a manifest and reloads", async () => {
    const run = await apply(dev, sandbox.layout);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    const files = edgeSite(dev, sandbox.layout).files;
    expect(snapshot(files)).toEqual(contentsOf(files));
    expect(readFileSync(edgePaths(sandbox.layout, "dev").manifest, "utf8")).toBe(files.map((file) => `${file.path}\n`).join(""));
    await expectReloads(1);
    await eventually(async () => expect((await served(dev)).status).toBe(401));
  });

  it("a second apply with the same content writes nothing, skips nginx -t and does not reload", async () => {
    const files = edgeSite(dev, sandbox.layout).files;
    const mtimes = files.map((file) => statSync(file.path).mtimeMs);
    const run = await apply(dev, sandbox.layout);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=unchanged reloaded=no");
    expect(run.stdout).toContain("all files already current");
    expect(run.stdout).not.toContain("test is successful");
    await sleep(300);
    expect(sandbox.reloadCount()).toBe(1);
    expect(files.map((file) => statSync(file.path).mtimeMs)).toEqual(mtimes);
  });

  it("an update with different content reloads, and serves it by the time the script returns", async () => {
    dev = { ...dev, contentSecurityPolicy: "default-src 'none'" };
    const run = await apply(dev, sandbox.layout);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    // No retry: the script waits until the old workers stop accepting, so whatever runs
    // after it (the next step, the operator's check) meets the new configuration.
    expect((await served(dev)).headers["content-security-policy"]).toBe("default-src 'none'");
    await expectReloads(2);
  });

  it("a config nginx rejects fails with nginx's error naming the live file, before any live file is touched", async () => {
    const files = edgeSite(dev, sandbox.layout).files;
    const before = snapshot(files);
    const inodes = files.map((file) => statSync(file.path).ino);
    const broken = files.map((file) => ({ ...file, content: file.content.replace("server_tokens off;", "server_tokens off;\n    bogus_directive on;") }));
    const run = await apply(dev, sandbox.layout, encodeFileFrames(broken));
    expect(run.code).toBe(1);
    // The test ran on staged copies; the message names the file the operator knows.
    expect(run.stderr).toContain(`unknown directive "bogus_directive" in ${files[0].path}:`);
    expect(run.stderr).toContain("nginx -t rejected the configuration; nothing was changed");
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=failed reloaded=no");
    expect(snapshot(files)).toEqual(before);
    expect(files.map((file) => statSync(file.path).ino), "the live files were never replaced, not even briefly").toEqual(inodes);
    expect(strayTempFiles()).toEqual([]);
    await sleep(200);
    expect(sandbox.reloadCount()).toBe(2);
    expect((await served(dev)).headers["content-security-policy"]).toBe("default-src 'none'");
  });

  it("rejects stdin that is truncated, tampered with or names a file it does not manage", async () => {
    const files = edgeSite(dev, sandbox.layout).files;
    const before = snapshot(files);
    const good = encodeFileFrames(files);
    const cases: [string, RegExp][] = [
      [good.slice(0, good.indexOf("@eof")), /ended before @eof/],
      [good.replace("server_tokens off;", "server_tokens on;"), /does not match its sha256/],
      [encodeFileFrames([files[0], { path: "/etc/passwd", content: "x\n" }]), /does not manage/],
      ["", /does not start with the header/],
    ];
    for (const [stdin, message] of cases) {
      const run = await apply(dev, sandbox.layout, stdin);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    expect(snapshot(files)).toEqual(before);
  });

  it("a failing reload command restores the previous files", async () => {
    const files = edgeSite(dev, sandbox.layout).files;
    const before = snapshot(files);
    // Config only accepts plain command words, so the failing command is a script.
    const failingReload = join(sandbox.root, "failing-reload");
    writeFileSync(failingReload, "#!/bin/sh\necho reload-went-wrong >&2\nexit 3\n", { mode: 0o755 });
    const run = await apply({ ...dev, contentSecurityPolicy: false }, { ...sandbox.layout, reloadCommand: failingReload });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("reload-went-wrong");
    expect(run.stderr).toContain("previous files restored");
    expect(snapshot(files)).toEqual(before);
    // nginx may have half-taken that reload: the next run reloads even with nothing to write.
    const reloads = sandbox.reloadCount();
    const again = await apply(dev, sandbox.layout);
    expect(summaryOf(again)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    expect(again.stdout).toContain("an interrupted run did not reload nginx");
    await expectReloads(reloads + 1);
  });

  it("refuses a vhost folder nginx does not load, instead of reporting success", async () => {
    const before = snapshot(edgeSite(dev, sandbox.layout).files);
    const run = await apply(dev, { ...sandbox.layout, vhostDir: sandbox.notIncludedDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nginx does not load .*not-included/);
    expect(readdirSync(sandbox.notIncludedDir)).toEqual([]);
    expect(snapshot(edgeSite(dev, sandbox.layout).files)).toEqual(before);
  });

  it("an update that moves the files removes the ones of the old manifest", async () => {
    const oldFiles = edgeSite(dev, sandbox.layout).files;
    const movedLayout = { ...sandbox.layout, vhostDir: sandbox.altVhostDir };
    const reloads = sandbox.reloadCount();
    const run = await apply(dev, movedLayout);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    // Both copies at once would be a duplicate limit_req_zone and fail nginx -t.
    expect(snapshot(oldFiles)).toEqual(Object.fromEntries(oldFiles.map((file) => [file.path, null])));
    const newFiles = edgeSite(dev, movedLayout).files;
    expect(snapshot(newFiles)).toEqual(contentsOf(newFiles));
    await expectReloads(reloads + 1);
    expect((await served(dev)).status).toBe(401);
  });

  it("two tiers applying at once both succeed, one after the other on the host lock", async () => {
    const lockFile = edgePaths(sandbox.layout, "dev").lockFile;
    const holder = spawn(requireTool("flock", "util-linux"), [lockFile, "-c", "echo locked; sleep 1"]);
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const started = Date.now();
    const reloads = sandbox.reloadCount();
    const [moved, neighbour] = await Promise.all([
      apply({ ...dev, contentSecurityPolicy: false }, { ...sandbox.layout, vhostDir: sandbox.altVhostDir }),
      apply(neighbourTier, sandbox.layout),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect([moved.code, neighbour.code]).toEqual([0, 0]);
    expect(summaryOf(moved)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    expect(summaryOf(neighbour)).toBe("cm-infra edge sandbox: result=changed reloaded=yes");
    await expectReloads(reloads + 2);
    await eventually(async () => expect((await served(neighbourTier)).status).toBe(401));
  });

  it("delete restores and fails when removing our files would break nginx -t", async () => {
    const borrower = `${sandbox.layout.vhostDir}/panel-site.conf`;
    writeFileSync(borrower, `server { listen 127.0.0.1:${await freePort()}; limit_req zone=cm_infra_sandbox_req; }\n`);
    const before = snapshot(edgeSite(neighbourTier, sandbox.layout).files);
    const run = await remove(neighbourTier, sandbox.layout);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cm_infra_sandbox_req");
    expect(snapshot(edgeSite(neighbourTier, sandbox.layout).files)).toEqual(before);
    rmSync(borrower);
  });

  it("delete removes exactly our files, keeps the neighbours and reloads", async () => {
    const movedLayout = { ...sandbox.layout, vhostDir: sandbox.altVhostDir };
    const neighbours = snapshot([{ path: sandbox.panelFile }, ...edgeSite(neighbourTier, sandbox.layout).files]);
    const reloads = sandbox.reloadCount();
    const run = await remove(dev, movedLayout);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=removed reloaded=yes");
    expect(readdirSync(sandbox.altVhostDir)).toEqual([]);
    expect(existsSync(edgePaths(movedLayout, "dev").manifest)).toBe(false);
    expect(snapshot([{ path: sandbox.panelFile }, ...edgeSite(neighbourTier, sandbox.layout).files])).toEqual(neighbours);
    await expectReloads(reloads + 1);
    await eventually(async () => expect((await served(dev)).exitCode).toBe(7));

    const again = await remove(dev, movedLayout);
    expect(summaryOf(again)).toBe("cm-infra edge dev: result=absent reloaded=no");
    expect(strayTempFiles()).toEqual([]);
  });
});
