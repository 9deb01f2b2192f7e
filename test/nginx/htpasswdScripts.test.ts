import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgePaths, edgeSiteScripts, htpasswdScripts, renderHtpasswd, type EdgePaths, type EdgeSiteSpec } from "../../render/nginx";
import { curl } from "./support/curl";
import { bcryptHash, edgeSpec } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { runRemote, summaryOf } from "./support/remote";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { eventually, freePort } from "./support/tools";

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
  let site: EdgeSiteSpec;
  let paths: EdgePaths;
  const firstLine = renderHtpasswd("operator", bcryptHash("first-secret", "$2a$", 10));
  const apply = (stdin: string) => runRemote(htpasswdScripts(sandbox.layout, "dev").create, stdin);
  const remove = () => runRemote(htpasswdScripts(sandbox.layout, "dev").delete, "");
  const status = async (user: string) => (await curl(site.listenPort, "/", { host: site.domain, user })).status;

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    site = edgeSpec("dev", sandbox.layout, upstream.port, { listenPort: await freePort() });
    paths = edgePaths(sandbox.layout, "dev");
    await sandbox.start();
    const edge = edgeSiteScripts(site, sandbox.layout);
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
