import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgePaths } from "../../render/nginx/paths";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../../render/nginx/htpasswdScripts";
import { renderHtpasswd } from "../../render/nginx/htpasswd";
import type { EdgePaths, EdgeSiteSettings } from "../../render/nginx/types";
import { curl } from "./support/curl";
import { bcryptHash, edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { runRemote, summaryOf } from "./support/remote";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { mountTinyDisk, type TinyDisk } from "./support/tinyDisk";
import { eventually, freePort } from "./support/tools";
import { edgeSite } from "../../render/nginx/site";

/** The group the script should pick: aaPanel's www when the host has it, else root. */
function expectedGid(): number {
  try {
    return Number(execFileSync("getent", ["group", "www"], { encoding: "utf8" }).split(":")[2]);
  } catch {
    return 0;
  }
}

describe("htpasswd scripts executed like the provider does", () => {
  let sandbox: NginxSandbox;
  let upstream: StubUpstream;
  let site: EdgeSiteSettings;
  let paths: EdgePaths;
  const firstLine = renderHtpasswd("operator", bcryptHash("first-secret", "$2a$", 10));
  const apply = (stdin: string) => runRemote(htpasswdScripts({ tier: "dev", paths: edgePaths(sandbox.layout, "dev") }).create, stdin);
  const remove = () => runRemote(htpasswdScripts({ tier: "dev", paths: edgePaths(sandbox.layout, "dev") }).delete, "");
  const status = async (user: string) => (await curl(site.listenPort, "/", { host: site.domain, user })).status;

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    site = edgeSettings("dev", upstream.port, { listenPort: await freePort() });
    paths = edgePaths(sandbox.layout, "dev");
    await sandbox.start();
    const edge = edgeSiteScripts(edgeSite(site, sandbox.layout));
    expect((await runRemote(edge.create, edge.stdin)).code).toBe(0);
    await eventually(async () => expect((await curl(site.listenPort, "/robots.txt")).status).toBe(200));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await upstream?.close();
  });

  it("installs the line with mode 0640 in a 0750 folder, never printing the hash", async () => {
    const run = await apply(firstLine);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=changed reloaded=no");
    expect(run.stdout + run.stderr).not.toContain("$2a$");
    expect(readFileSync(paths.htpasswdFile, "utf8")).toBe(firstLine);
    const file = statSync(paths.htpasswdFile);
    expect({ mode: file.mode & 0o777, uid: file.uid, gid: file.gid }).toEqual({ mode: 0o640, uid: 0, gid: expectedGid() });
    expect(statSync(paths.htpasswdDir).mode & 0o777).toBe(0o750);
  });

  it("is what nginx checks credentials against (a $2a$ cost-10 hash, as RandomPassword makes)", async () => {
    expect(await status("operator:first-secret")).toBe(200);
    expect(await status("operator:wrong")).toBe(401);
  });

  it("reports unchanged and leaves the file alone when the line is the same", async () => {
    const before = statSync(paths.htpasswdFile).mtimeMs;
    const run = await apply(firstLine);
    expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=unchanged reloaded=no");
    expect(statSync(paths.htpasswdFile).mtimeMs).toBe(before);
  });

  it("rotates the password without a reload", async () => {
    const reloads = sandbox.reloadCount();
    const run = await apply(renderHtpasswd("operator", bcryptHash("second-secret")));
    expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=changed reloaded=no");
    expect(await status("operator:second-secret")).toBe(200);
    expect(await status("operator:first-secret")).toBe(401);
    expect(sandbox.reloadCount()).toBe(reloads);
  });

  it("rejects malformed stdin without echoing it and without touching the file", async () => {
    const before = readFileSync(paths.htpasswdFile, "utf8");
    for (const stdin of ["", "operator:plain-text-password\n", `${firstLine}${firstLine}`, "op:er:$2a$10$abc\n"]) {
      const run = await apply(stdin);
      expect(run.code).toBe(1);
      expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=failed reloaded=no");
      if (stdin !== "") expect(run.stdout + run.stderr).not.toContain(stdin.trim().split("\n")[0]);
    }
    expect(readFileSync(paths.htpasswdFile, "utf8")).toBe(before);
  });

  it("delete removes the file and its folder, and is quiet when already gone", async () => {
    const run = await remove();
    expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=removed reloaded=no");
    expect(existsSync(paths.htpasswdDir)).toBe(false);
    expect(summaryOf(await remove())).toBe("cm-infra htpasswd dev: result=absent reloaded=no");
  });

  it("delete keeps the folder when someone else put files there", async () => {
    mkdirSync(paths.htpasswdDir, { recursive: true });
    writeFileSync(`${paths.htpasswdDir}/someone-else.htpasswd`, "x:y\n");
    expect((await apply(firstLine)).code).toBe(0);
    const run = await remove();
    expect(run.stdout).toContain("kept");
    expect(existsSync(paths.htpasswdFile)).toBe(false);
    expect(existsSync(`${paths.htpasswdDir}/someone-else.htpasswd`)).toBe(true);
  });
});

describe("htpasswd scripts after an interrupted run, and on a full or read-only folder", () => {
  let sandbox: NginxSandbox;
  let disk: TinyDisk | undefined;
  let paths: EdgePaths;
  const line = renderHtpasswd("operator", bcryptHash("kept-secret"));
  const newLine = renderHtpasswd("operator", bcryptHash("new-secret"));
  const apply = (stdin: string) => runRemote(htpasswdScripts({ tier: "dev", paths: edgePaths(sandbox.layout, "dev") }).create, stdin);
  const remove = () => runRemote(htpasswdScripts({ tier: "dev", paths: edgePaths(sandbox.layout, "dev") }).delete, "");
  const leftovers = () => readdirSync(paths.htpasswdDir).filter((name) => name !== `dev.htpasswd`);
  const installed = () => ({ content: readFileSync(paths.htpasswdFile, "utf8"), inode: statSync(paths.htpasswdFile).ino });

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    disk = mountTinyDisk(sandbox.layout.passDir);
    paths = edgePaths(sandbox.layout, "dev");
    expect((await apply(line)).code).toBe(0);
  });
  afterAll(async () => {
    disk?.release();
    await sandbox?.stop();
  });

  it("removes the temp file a killed run left (it may hold a hash) and changes nothing else", async () => {
    writeFileSync(`${paths.htpasswdDir}/.cm-infra-tmp.Ab12Cd`, "operator:$2y$05$half", { mode: 0o600 });
    const before = installed();
    const run = await apply(line);
    expect(summaryOf(run)).toBe("cm-infra htpasswd dev: result=unchanged reloaded=no");
    expect(leftovers()).toEqual([]);
    expect(installed()).toEqual(before);
  });

  it("a full folder: a clear error, the old line stays", async () => {
    const before = installed();
    disk?.fill();
    try {
      const run = await apply(newLine);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: cannot write in \S+\/pass\/cm-infra-dev \(is the disk full\?\); nothing was changed/);
    } finally {
      disk?.empty();
    }
    expect(installed()).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it("a read-only folder: a clear error for apply and delete, the old line stays; writable again, the run converges", async () => {
    const before = installed();
    disk?.readOnly();
    try {
      const run = await apply(newLine);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: cannot create a file in \S+\/pass\/cm-infra-dev: Read-only file system; nothing was changed/);
      const removal = await remove();
      expect(removal.code).toBe(1);
      expect(removal.stderr).toMatch(/error: cannot remove \S+\/dev\.htpasswd: Read-only file system; nothing was changed/);
    } finally {
      disk?.writable();
    }
    expect(installed()).toEqual(before);
    expect(summaryOf(await apply(newLine))).toBe("cm-infra htpasswd dev: result=changed reloaded=no");
    expect(readFileSync(paths.htpasswdFile, "utf8")).toBe(newLine);
  });
});
