import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgePaths, EdgeSiteSettings } from "../../render/nginx/types";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { renderHttpLevel } from "../../render/nginx/httpLevel";
import { renderServerBlock } from "../../render/nginx/serverBlock";
import { edgeSite } from "../../render/nginx/site";
import { curl } from "./support/curl";
import { edgeSettings } from "./support/fixtures";
import { createNginxSandbox, type NginxSandbox } from "./support/nginxSandbox";
import { runRemote, summaryOf, type RemoteRun } from "./support/remote";
import { startStubUpstream, type StubUpstream } from "./support/stubUpstream";
import { eventually, freePort } from "./support/tools";

/**
 * Test-only, never in the rendered scripts: bash sources $BASH_ENV before a
 * non-interactive script, so this DEBUG trap sees every command of the script's own shell
 * (subshells excluded). "count" lists them; a number SIGKILLs the shell just before that
 * command, so no EXIT trap runs, as after a kill -9 or a lost session.
 */
const KILL_HOOK = `if [[ -n \${CM_KILL_AT:-} ]]; then
  set -T
  cm_kill_step=0
  cm_kill_nl=$'\\n'
  trap 'if (( BASHPID == $$ )); then cm_kill_step=$((cm_kill_step + 1)); if [[ $CM_KILL_AT == count ]]; then printf "%s\\n" "\${BASH_COMMAND%%"$cm_kill_nl"*}" >>"$CM_KILL_LOG"; elif (( cm_kill_step == CM_KILL_AT )); then kill -KILL $$; fi; fi' DEBUG
fi
`;

type Layout = "old" | "middle" | "new";

describe("edge site: a host with the two-file layout of earlier versions converges to the one file", () => {
  let sandbox: NginxSandbox;
  let upstream: StubUpstream;
  let before: EdgeSiteSettings;
  let after: EdgeSiteSettings;
  let paths: EdgePaths;
  let hook: string;

  const scripts = (settings: EdgeSiteSettings) => edgeSiteScripts(edgeSite(settings, sandbox.layout));
  const apply = (settings: EdgeSiteSettings, prefix = ""): Promise<RemoteRun> => runRemote(`${prefix}${scripts(settings).update}`, scripts(settings).stdin);
  const remove = (settings: EdgeSiteSettings): Promise<RemoteRun> => runRemote(scripts(settings).delete, "");
  const merged = (settings: EdgeSiteSettings): string => edgeSite(settings, sandbox.layout).files[0].content;
  /** The zone file and the server file exactly as earlier versions rendered them. */
  const oldFiles = (settings: EdgeSiteSettings) => {
    const { spec } = edgeSite(settings, sandbox.layout);
    const managed = `# Managed by cm-infra (tier ${spec.tier}); edits are overwritten on the next deploy.`;
    return {
      zone: [managed, "# Loaded at http level through aaPanel's vhost include.", renderHttpLevel(spec)].join("\n"),
      server: [managed, "# Deliberately not an aaPanel site: the panel neither lists nor rewrites this file.", renderServerBlock(spec)].join("\n"),
    };
  };
  /** What an earlier version left on the host: both files, its manifest listing both, nothing pending. */
  const installOldLayout = () => {
    const { zone, server } = oldFiles(before);
    writeFileSync(paths.legacyHttpLevelConf, zone);
    writeFileSync(paths.siteConf, server);
    rmSync(paths.tierStateDir, { recursive: true, force: true });
    mkdirSync(paths.tierStateDir, { recursive: true });
    writeFileSync(paths.manifest, `${paths.legacyHttpLevelConf}\n${paths.siteConf}\n`);
  };
  const reload = () => execFileSync("/bin/sh", ["-c", sandbox.layout.reloadCommand]);
  const read = (path: string): string | null => (existsSync(path) ? readFileSync(path, "utf8") : null);
  /** Which of the states the merge may pass through the live folder holds; "other" for any else. */
  const layoutNow = (): Layout | "other" => {
    const zone = read(paths.legacyHttpLevelConf);
    const site = read(paths.siteConf);
    const old = oldFiles(before);
    if (zone === old.zone && site === old.server) return "old";
    if (zone === merged(after) && site === old.server) return "middle";
    if (zone === null && site === merged(after)) return "new";
    return "other";
  };
  const ourFiles = () => readdirSync(sandbox.layout.vhostDir).filter((name) => name.includes("cm-infra-dev"));
  const served = () => curl(before.listenPort, "/", { host: before.domain });

  beforeAll(async () => {
    sandbox = await createNginxSandbox();
    upstream = await startStubUpstream();
    before = edgeSettings("dev", upstream.port, { listenPort: await freePort() });
    // Both halves change (zone rate and size; burst and CSP), the hardest case.
    after = { ...before, rateLimit: { ratePerSecond: 40, zoneSizeMb: 2, burst: 40 }, contentSecurityPolicy: "default-src 'none'" };
    paths = edgeSite(before, sandbox.layout).paths;
    hook = join(sandbox.root, "kill-hook.sh");
    writeFileSync(hook, KILL_HOOK);
    installOldLayout();
    await sandbox.start();
    await eventually(async () => expect((await served()).status).toBe(401));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await upstream?.close();
  });

  it("nginx refuses both one-rename orders, and accepts the state the merge passes through", async () => {
    const old = oldFiles(before);
    try {
      // The new file renamed over the server file while the zone file is still there: even
      // with the zone unchanged, nginx refuses a second definition.
      writeFileSync(paths.siteConf, merged(before));
      const twice = await sandbox.test();
      expect(twice.ok).toBe(false);
      expect(twice.output).toContain('limit_req_zone "cm_infra_dev_req" is already bound to key');
      writeFileSync(paths.siteConf, merged(after));
      expect((await sandbox.test()).output).toContain('the size 2097152 of shared memory zone "cm_infra_dev_req" conflicts');

      // The zone file removed first: the old server uses a zone nobody defines.
      rmSync(paths.legacyHttpLevelConf);
      writeFileSync(paths.siteConf, old.server);
      const missing = await sandbox.test();
      expect(missing.ok).toBe(false);
      expect(missing.output).toContain('"cm_infra_dev_req"');

      // The merge's middle state: the new file in the zone file's place, the old server beside it.
      writeFileSync(paths.legacyHttpLevelConf, merged(after));
      const middle = await sandbox.test();
      expect(middle.ok, middle.output).toBe(true);
      expect(middle.output).toContain('conflicting server name "dev.cm.test"');
    } finally {
      installOldLayout();
    }
    expect((await sandbox.test()).ok).toBe(true);
  });

  it("apply replaces the zone file, then renames it over the server file; it serves the new version, and a second run does nothing", async () => {
    const reloads = sandbox.reloadCount();
    const run = await apply(after);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toBe("cm-infra edge dev: result=changed reloaded=yes");
    expect(run.stdout).toContain(`moved ${paths.legacyHttpLevelConf} to ${paths.siteConf}`);
    expect(layoutNow()).toBe("new");
    expect(ourFiles()).toEqual(["cm-infra-dev.conf"]);
    expect(readFileSync(paths.manifest, "utf8")).toBe(`${paths.siteConf}\n`);
    // The old files are kept as the previous version, under their live paths.
    expect(read(`${paths.previousDir}${paths.legacyHttpLevelConf}`)).toBe(oldFiles(before).zone);
    expect(read(`${paths.previousDir}${paths.siteConf}`)).toBe(oldFiles(before).server);
    await eventually(async () => expect(sandbox.reloadCount()).toBe(reloads + 1));
    await eventually(async () => expect((await served()).headers["content-security-policy"]).toBe("default-src 'none'"));

    const again = await apply(after);
    expect(summaryOf(again)).toBe("cm-infra edge dev: result=unchanged reloaded=no");
  });

  it("a failing reload puts the two old files back, through the same tested states", async () => {
    installOldLayout();
    reload();
    const failingReload = join(sandbox.root, "failing-reload");
    writeFileSync(failingReload, "#!/bin/sh\necho reload-went-wrong >&2\nexit 3\n", { mode: 0o755 });
    const layout = { ...sandbox.layout, reloadCommand: failingReload };
    const run = await runRemote(edgeSiteScripts(edgeSite(after, layout)).update, edgeSiteScripts(edgeSite(after, layout)).stdin);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("previous files restored");
    expect(layoutNow()).toBe("old");
    expect((await sandbox.test()).ok).toBe(true);
  });

  it("killed before any command, the host holds the old files, the middle state or the new file, nginx -t passes, and the next run converges", async () => {
    installOldLayout();
    const log = join(sandbox.root, "commands");
    rmSync(log, { force: true });
    const counted = await apply(after, `CM_KILL_AT=count CM_KILL_LOG=${log} BASH_ENV=${hook} `);
    expect(counted.code, counted.stderr).toBe(0);
    const commands = readFileSync(log, "utf8").trimEnd().split("\n");
    // Before the reload marker nothing live moves, and after the reload only the
    // bookkeeping is left: every command in between, and a sample on either side (bounded
    // time on a shared machine).
    const live = commands.indexOf("mark_reload_pending");
    const reloaded = commands.findIndex((command, index) => index > live && command.includes("$RELOAD_COMMAND"));
    expect(live).toBeGreaterThan(0);
    expect(reloaded).toBeGreaterThan(live);
    const points = Array.from({ length: commands.length }, (_, index) => index + 1).filter(
      (point) => (point > live && point <= reloaded + 1) || point % (point <= live ? 50 : 20) === 1,
    );

    const seen = new Map<Layout, number>();
    const problems: string[] = [];
    for (const point of points) {
      installOldLayout();
      const killed = await apply(after, `CM_KILL_AT=${point} BASH_ENV=${hook} `);
      const state = layoutNow();
      const tested = await sandbox.test();
      const at = `killed before command ${point} (${commands[point - 1]})`;
      if (killed.code === 0) problems.push(`${at}: the run was not killed`);
      if (state === "other") problems.push(`${at}: the live folder holds neither version nor the middle state`);
      else seen.set(state, (seen.get(state) ?? 0) + 1);
      if (!tested.ok) problems.push(`${at}: nginx -t fails: ${tested.output}`);
      if ((await served()).status !== 401) problems.push(`${at}: the site does not answer`);
      const next = await apply(after);
      if (next.code !== 0) problems.push(`${at}: the next run failed: ${next.stderr}`);
      if (layoutNow() !== "new" || ourFiles().length !== 1) problems.push(`${at}: the next run left ${ourFiles().join(" ")}`);
    }
    console.info(`edge migration: ${points.length} killed runs of ${commands.length} commands; states left: ${JSON.stringify(Object.fromEntries(seen))}; ${problems.length} failures`);
    expect(problems).toEqual([]);
    // The kills reached every state the merge passes through.
    expect([...seen.keys()].sort()).toEqual(["middle", "new", "old"]);
    await eventually(async () => expect((await served()).headers["content-security-policy"]).toBe("default-src 'none'"));
  }, 180_000);

  it("a zone file put back beside the one file is removed by the next apply, with or without a change", async () => {
    for (const settings of [after, before]) {
      writeFileSync(paths.legacyHttpLevelConf, oldFiles(before).zone);
      // The zone twice: nginx names a size clash first, if there is one.
      expect((await sandbox.test()).output).toMatch(/is already bound to key|conflicts with already declared size/);
      const run = await apply(settings);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`removed ${paths.legacyHttpLevelConf}`);
      expect(ourFiles()).toEqual(["cm-infra-dev.conf"]);
      expect(read(paths.siteConf)).toBe(merged(settings));
      expect((await sandbox.test()).ok).toBe(true);
    }
    await eventually(async () => expect((await served()).headers["content-security-policy"]).toBe(before.contentSecurityPolicy));
  });

  it("delete removes both old files, the server file first, also when the manifest is gone", async () => {
    for (const manifest of [true, false]) {
      installOldLayout();
      if (!manifest) rmSync(paths.manifest);
      reload();
      const run = await remove(before);
      expect(run.code, run.stderr).toBe(0);
      expect(summaryOf(run)).toBe("cm-infra edge dev: result=removed reloaded=yes");
      const removed = run.stdout.split("\n").filter((line) => line.includes(": removed "));
      expect(removed).toEqual([`cm-infra edge dev: removed ${paths.siteConf}`, `cm-infra edge dev: removed ${paths.legacyHttpLevelConf}`]);
      expect(ourFiles()).toEqual([]);
      expect(existsSync(paths.manifest)).toBe(false);
    }
    // And from the middle state a killed merge leaves.
    installOldLayout();
    writeFileSync(paths.legacyHttpLevelConf, merged(after));
    const run = await remove(after);
    expect(run.code, run.stderr).toBe(0);
    expect(ourFiles()).toEqual([]);
    expect((await sandbox.test()).ok).toBe(true);
  });
});
