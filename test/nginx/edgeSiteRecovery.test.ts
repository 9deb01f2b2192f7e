import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NginxLayout } from "../../config/types";
import { edgePaths } from "../../render/nginx/paths";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import type { EdgeSiteSettings } from "../../render/nginx/types";
import { curl } from "./support/curl";
import { edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { runRemote, summaryOf, type RemoteRun } from "./support/remote";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { mountTinyDisk, type TinyDisk } from "./support/tinyDisk";
import { eventually, freePort, sleep } from "./support/tools";
import { edgeSite } from "../../render/nginx/site";

interface LiveFile {
  readonly content: string;
  readonly inode: number;
}

describe("edge site scripts after an interrupted run, and on a full or read-only vhost folder", () => {
  let sandbox: NginxSandbox;
  let upstream: StubUpstream;
  let disk: TinyDisk | undefined;
  let layout: NginxLayout;
  let site: EdgeSiteSettings;

  const apply = (spec: EdgeSiteSettings): Promise<RemoteRun> => {
    const scripts = edgeSiteScripts(edgeSite(spec, layout));
    return runRemote(scripts.update, scripts.stdin);
  };
  const remove = (spec: EdgeSiteSettings): Promise<RemoteRun> => runRemote(edgeSiteScripts(edgeSite(spec, layout)).delete, "");
  const liveFiles = (): Record<string, LiveFile> =>
    Object.fromEntries(
      edgeSite(site, layout).files.map(({ path }) => [path, { content: readFileSync(path, "utf8"), inode: statSync(path).ino }]),
    );
  /** Scratch names the scripts use: beside the live files, beside nginx.conf, in the state folder. */
  const scratch = (): string[] => [
    ...readdirSync(layout.vhostDir).filter((name) => name.startsWith(".cm-infra-")),
    ...readdirSync(sandbox.root).filter((name) => name.startsWith(".cm-infra-")),
    ...readdirSync(edgePaths(layout, site.tier).tierStateDir).filter((name) => name.startsWith("work.")),
  ];
  const served = () => curl(site.listenPort, "/", { host: site.domain });

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    // The second included folder gets a 64 KiB disk of its own.
    disk = mountTinyDisk(sandbox.altVhostDir);
    layout = { ...sandbox.layout, vhostDir: sandbox.altVhostDir };
    site = edgeSettings("dev", upstream.port, { listenPort: await freePort() });
    await sandbox.start();
    const first = await apply(site);
    expect(first.code, first.stderr).toBe(0);
    await eventually(async () => expect((await served()).status).toBe(401));
  });
  afterAll(async () => {
    disk?.release();
    await sandbox?.stop();
    await upstream?.close();
  });

  it("clears what a killed run left behind and finishes the reload it never got to", async () => {
    const paths = edgePaths(layout, site.tier);
    // What SIGKILL between "renamed into place" and "reloaded" leaves: half-written scratch
    // files under names nginx never loads, a work folder, and the reload still owed.
    writeFileSync(join(layout.vhostDir, ".cm-infra-tmp.dev.Ab12Cd"), "server { listen 1; # half-wri");
    writeFileSync(join(sandbox.root, ".cm-infra-test.dev.Xy34Zw"), "http { include ");
    mkdirSync(join(paths.tierStateDir, "work.Stale1"));
    writeFileSync(join(paths.tierStateDir, "work.Stale1", "new.0"), "limit_req_zone");
    writeFileSync(join(paths.tierStateDir, "reload-pending"), "");
    const before = liveFiles();
    const reloads = sandbox.reloadCount();

    const run = await apply(site);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    expect(run.stdout).toContain("an interrupted run did not reload nginx");
    expect(scratch()).toEqual([]);
    expect(liveFiles()).toEqual(before);
    await eventually(async () => expect(sandbox.reloadCount()).toBe(reloads + 1));

    const again = await apply(site);
    expect(summaryOf(again)).toBe("cm-infra edge dev: result=unchanged reloaded=no");
  });

  it("a full vhost folder: a clear error, no live file touched, no reload", async () => {
    const before = liveFiles();
    const reloads = sandbox.reloadCount();
    disk?.fill();
    try {
      const run = await apply({ ...site, contentSecurityPolicy: "default-src 'none'" });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: cannot write in \S+alt-vhost\/nginx: No space left on device; nothing was changed/);
      expect(summaryOf(run)).toBe("cm-infra edge dev: result=failed reloaded=no");
    } finally {
      disk?.empty();
    }
    expect(liveFiles()).toEqual(before);
    expect(scratch()).toEqual([]);
    await sleep(200);
    expect(sandbox.reloadCount()).toBe(reloads);
  });

  it("a read-only vhost folder: a clear error for apply and delete, nothing changed; writable again, the run converges", async () => {
    const before = liveFiles();
    const reloads = sandbox.reloadCount();
    disk?.readOnly();
    try {
      const run = await apply({ ...site, contentSecurityPolicy: "default-src 'none'" });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: cannot create a file in \S+alt-vhost\/nginx: Read-only file system; nothing was changed/);
      const removal = await remove(site);
      expect(removal.code).toBe(1);
      expect(removal.stderr).toMatch(/error: cannot remove files from \S+alt-vhost\/nginx: Read-only file system; nothing was changed/);
    } finally {
      disk?.writable();
    }
    expect(liveFiles()).toEqual(before);
    expect(scratch()).toEqual([]);
    expect(sandbox.reloadCount()).toBe(reloads);

    const run = await apply({ ...site, contentSecurityPolicy: "default-src 'none'" });
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    await eventually(async () => expect((await served()).headers["content-security-policy"]).toBe("default-src 'none'"));
  });
});
