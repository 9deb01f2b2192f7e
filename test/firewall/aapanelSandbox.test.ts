import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aapanelFirewallExpectationsOf } from "../../drift/aapanelFirewall";
import { compareHost } from "../../drift/compare";
import { parseProbeOutput, renderProbeScript } from "../../drift/probe";
import { AAPANEL_FIREWALL_SUMMARY_PATTERN, aapanelRecordPath } from "../../render/aapanelFirewall/hostPaths";
import { renderAaPanelFirewallApplyScript, renderAaPanelFirewallDeleteScript, renderAaPanelFirewallScripts } from "../../render/aapanelFirewall/scripts";
import type { AaPanelFirewallSpec } from "../../render/aapanelFirewall/types";
import { asRemoteCommand, type RemoteScripts } from "../../render/remoteScripts";
import { aapanelSpec } from "./aapanelFixtures";
import { dockerIsAvailable, restartSandboxHost, sshTargetOf, startFreshSandbox, stopSandbox, type SandboxState } from "./support/sandboxHosts";
import { mustRunOverSsh, runOverSsh, sshArguments, type CommandResult, type SshTarget } from "./support/sshRunner";

// The aaPanel host's ufw on a real host: sandbox/up.sh's proxy (nginx on 80, ufw, no
// systemd), probed from the LAN host and from the test runner, which plays the admin.
// Each step builds on the one before.
const PREFIX = "cmapfw";
const PANEL_PORT = 7800;
const CLOSED = "000";
/** Stands in for the panel's own web server on its port (the proxy has no aaPanel). */
const PANEL_STAND_IN = `server { listen ${PANEL_PORT}; location / { return 200 "panel\\n"; } }`;
const PANEL_STAND_IN_FILE = "/www/server/panel/vhost/nginx/zz-panel-stand-in.conf";

let sandbox: SandboxState;
let proxy: SshTarget;
let lan: SshTarget;
/** The test runner's address as the proxy sees it: the only admin source. */
let runner: string;
let rex: AaPanelFirewallSpec;

async function onProxy(command: string): Promise<string> {
  return mustRunOverSsh(proxy, command);
}

/** Runs a remote.Command phase as the provider would: the command string, stdin "". */
async function runPhase(spec: AaPanelFirewallSpec, phase: "create" | "update" | "delete"): Promise<CommandResult> {
  const scripts: RemoteScripts = renderAaPanelFirewallScripts(spec);
  return runOverSsh(proxy, scripts[phase], { stdin: "", timeoutMs: 120_000 });
}

const UFW_CALLS = "/tmp/cmapfw-ufw-calls";
const ADDED_MARK = "--- ADDED as the run kept it";

/**
 * Runs a phase's script with two additions for the test's eyes only: a ufw function in
 * front of the real one that notes each call's arguments, and, after the summary, the
 * rule list the run kept in memory. Returns the calls and that list.
 */
async function runTraced(script: string): Promise<{ result: CommandResult; calls: string[]; added: string[] }> {
  await onProxy(`rm -f ${UFW_CALLS}`);
  const traced = [`ufw() { printf '%s\\n' "$*" >>${UFW_CALLS}; command ufw "$@"; }`, script, `printf '%s\\n' '${ADDED_MARK}' "$ADDED"`].join("\n");
  const result = await runOverSsh(proxy, asRemoteCommand(traced), { stdin: "", timeoutMs: 120_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  const calls = (await onProxy(`cat ${UFW_CALLS}`)).split("\n").filter(Boolean);
  const added = (result.stdout.split(`${ADDED_MARK}\n`)[1] ?? "").split("\n").filter(Boolean);
  return { result, calls, added };
}

async function ufwShowAdded(): Promise<string[]> {
  return (await onProxy("ufw show added")).split("\n").filter((line) => line.startsWith("ufw ")).map((line) => line.slice("ufw ".length));
}

function summaryOf(result: CommandResult): string | undefined {
  const summaries = result.stdout.split("\n").filter((line) => AAPANEL_FIREWALL_SUMMARY_PATTERN.test(line));
  expect(summaries, result.stdout + result.stderr).toHaveLength(1);
  return summaries[0]?.match(AAPANEL_FIREWALL_SUMMARY_PATTERN)?.groups?.result;
}

async function httpFromLan(port: number): Promise<string> {
  const result = await runOverSsh(lan, `curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://${proxy.address}:${port}/`, { timeoutMs: 20_000 });
  return result.stdout.trim() || CLOSED;
}

async function sshPortFromLan(): Promise<"open" | "closed"> {
  const result = await runOverSsh(lan, `nc -z -w 3 ${proxy.address} ${proxy.sshPort} && echo open || echo closed`, { timeoutMs: 20_000 });
  return result.stdout.trim() === "open" ? "open" : "closed";
}

function httpFromRunner(port: number): string {
  const result = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", `http://${proxy.address}:${port}/`], { encoding: "utf8", timeout: 20_000 });
  return result.stdout.trim() || CLOSED;
}

/** What the host answers from the LAN and from the admin, as the issue asks. */
async function expectAdminOnly(): Promise<void> {
  expect(await httpFromLan(80), "LAN -> 80").not.toBe(CLOSED);
  expect(await httpFromLan(PANEL_PORT), "LAN -> panel").toBe(CLOSED);
  expect(await sshPortFromLan(), "LAN -> SSH").toBe("closed");
  expect(httpFromRunner(80), "admin -> 80").not.toBe(CLOSED);
  expect(httpFromRunner(PANEL_PORT), "admin -> panel").toBe("200");
  expect((await runOverSsh(proxy, "true")).exitCode, "admin -> SSH (a new connection)").toBe(0);
}

/** ufw's rules, state and our records: what an unchanged apply leaves byte for byte. */
async function ufwSnapshot(): Promise<string> {
  return onProxy("LC_ALL=C ufw status verbose; ufw show added; cat /var/lib/cm-infra/firewall/*.ufw 2>/dev/null || true");
}

/** Rules not cm-infra's, in ufw's order. */
async function othersRules(): Promise<string[]> {
  return (await onProxy("ufw show added")).split("\n").filter((line) => line.startsWith("ufw ") && !line.includes("comment 'cm-infra:"));
}

/** npm run drift's check of this host, run as the drift tool runs it. */
async function driftOf(spec: AaPanelFirewallSpec): Promise<Record<string, string>> {
  const expectations = aapanelFirewallExpectationsOf(spec);
  const probe = await runOverSsh(proxy, "bash -s", { stdin: renderProbeScript(expectations), timeoutMs: 60_000 });
  expect(probe.exitCode, probe.stderr).toBe(0);
  const rows = compareHost({ role: "aapanel", host: { address: proxy.address, sshUser: "root", sshPort: proxy.sshPort, hostKey: "" }, expectations }, parseProbeOutput(probe.stdout));
  return Object.fromEntries(rows.map((row) => [row.artifact, `${row.status}: ${row.found}`]));
}

function driftStatuses(drift: Record<string, string>): string[] {
  return Object.values(drift).map((value) => value.split(":")[0] ?? "");
}

async function waitForSsh(target: SshTarget): Promise<boolean> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    if ((await runOverSsh(target, "true", { timeoutMs: 10_000 })).exitCode === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}

describe("ufw on the aaPanel host (sandbox proxy)", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // A missing engine fails the run: a skipped host test must never read as a pass.
    if (!dockerIsAvailable()) throw new Error("Docker is not running: start dockerd (as .ci/run does); these tests need real hosts");
    sandbox = startFreshSandbox(PREFIX, 900_000);
    proxy = sshTargetOf(sandbox, "proxy");
    lan = sshTargetOf(sandbox, "lan");
    runner = (await onProxy('echo "${SSH_CLIENT%% *}"')).trim();
    expect(runner).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    rex = aapanelSpec({ adminSources: [runner], panelPort: PANEL_PORT, enableUfw: true });
    await onProxy(`printf '%s\\n' '${PANEL_STAND_IN}' >${PANEL_STAND_IN_FILE} && /etc/init.d/nginx reload >/dev/null`);
    for (let attempt = 0; attempt < 20 && (await httpFromLan(PANEL_PORT)) !== "200"; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 300));
    // Before any rule, everything answers everyone.
    expect(await httpFromLan(PANEL_PORT)).toBe("200");
    expect(await sshPortFromLan()).toBe("open");
    expect(await onProxy("ufw status")).toContain("Status: inactive");
  }, 960_000);

  afterAll(() => {
    if (sandbox) stopSandbox(PREFIX);
  }, 180_000);

  it("refuses an inactive ufw unless aapanelHost.firewall.enableUfw says so, changing nothing", async () => {
    const result = await runPhase({ ...rex, enableUfw: false }, "create");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("ufw is inactive on this host and aapanelHost.firewall.enableUfw is false");
    expect(result.stderr).toContain("; nothing was changed");
    expect(await onProxy("ufw status; ufw show added; ls /var/lib/cm-infra 2>&1 || true")).toMatch(/inactive[\s\S]*\(None\)[\s\S]*No such file/);
  });

  it("refuses a deploy from an address the admin sources do not contain, changing nothing", async () => {
    const result = await runPhase({ ...rex, adminSources: [lan.address] }, "create");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`this deploy connects from ${runner}, which aapanelHost.firewall.adminSources (${lan.address}) does not contain`);
    expect(await onProxy("ufw status; ufw show added")).toMatch(/inactive[\s\S]*\(None\)/);
  });

  let panelRules: string[] = [];
  it("create: SSH from the admins first, then ufw on; the LAN reaches 80 only, the admin reaches everything; the panel's rules stay the panel's", async () => {
    // What aaPanel's installer and Security page leave: plain ufw commands, no comment.
    await onProxy("ufw allow 888/tcp && ufw allow 80/tcp && ufw allow from 192.0.2.9 to any port 8888 proto tcp");
    panelRules = await othersRules();
    // A session open through the whole apply (the deploying connection) must survive it.
    const held = spawn("ssh", sshArguments(proxy, "sleep 25; echo still-here"), { stdio: ["ignore", "pipe", "pipe"] });
    const heldOutput = new Promise<string>((resolve) => {
      let text = "";
      held.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      held.on("close", () => resolve(text));
    });
    const result = await runPhase(rex, "create");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("changed");
    expect(result.stdout).toContain("'allow 80/tcp' exists already and is not cm-infra's; leaving it to its owner");
    expect(await heldOutput).toContain("still-here");
    expect(await onProxy("ufw status")).toContain("Status: active");
    expect(await othersRules()).toEqual(panelRules);
    expect(await onProxy("ufw show added")).toContain(`ufw allow from ${runner} to any port 22 proto tcp comment 'cm-infra:aapanel'`);
    expect(await onProxy(`cat ${aapanelRecordPath("rex")}`)).toBe(
      [`ssh allow from ${runner} to any port 22 proto tcp`, `panel allow from ${runner} to any port ${PANEL_PORT} proto tcp`, "web allow 80/tcp", "web allow 443/tcp", ""].join("\n"),
    );
    await expectAdminOnly();
  });

  it("a second apply changes nothing and says so", async () => {
    const before = await ufwSnapshot();
    const result = await runPhase(rex, "update");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("unchanged");
    expect(result.stderr).toBe("");
    expect(await ufwSnapshot()).toBe(before);
  });

  it("holds after ufw reload", async () => {
    await onProxy("ufw reload");
    await expectAdminOnly();
  });

  it("holds after the host restarts (ufw-init at boot)", async () => {
    restartSandboxHost(sandbox, "proxy");
    expect(await waitForSsh(proxy)).toBe(true);
    for (let attempt = 0; attempt < 20 && httpFromRunner(PANEL_PORT) !== "200"; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 500));
    await expectAdminOnly();
  });

  it("npm run drift's checks: clean, then a rule the panel deleted and one it opened are drift, and a re-apply repairs ours", async () => {
    expect(await driftOf(rex)).toEqual({
      "ufw status": "ok: active, deny incoming",
      "ufw rules 'cm-infra:aapanel' of rex": "ok: 4 rules (1 held by others: allow 80/tcp)",
      [`ports 22 (SSH) and ${PANEL_PORT} (panel) beyond the admin sources`]: "ok: none",
    });
    // The panel's Security page: delete our panel rule, open the panel to one LAN address.
    await onProxy(`ufw delete allow from ${runner} to any port ${PANEL_PORT} proto tcp && ufw insert 1 allow from ${lan.address} to any port ${PANEL_PORT} proto tcp`);
    const drifted = await driftOf(rex);
    expect(driftStatuses(drifted)).toEqual(["ok", "drift", "drift"]);
    expect(drifted["ufw rules 'cm-infra:aapanel' of rex"]).toBe(`drift: missing: allow from ${runner} to any port ${PANEL_PORT} proto tcp`);
    expect(drifted[`ports 22 (SSH) and ${PANEL_PORT} (panel) beyond the admin sources`]).toBe(
      `drift: allow from ${lan.address} to any port ${PANEL_PORT} proto tcp: lets ${PANEL_PORT} in from ${lan.address}`,
    );
    expect(await httpFromLan(PANEL_PORT)).toBe("200");

    const repaired = await runPhase(rex, "update");
    expect(summaryOf(repaired)).toBe("changed");
    // The panel's rule is named, never removed.
    expect(repaired.stderr).toContain(`warning: 'allow from ${lan.address} to any port ${PANEL_PORT} proto tcp' is not cm-infra's and lets ${PANEL_PORT} in from ${lan.address}`);
    expect(driftStatuses(await driftOf(rex))).toEqual(["ok", "ok", "drift"]);
    await onProxy(`ufw delete allow from ${lan.address} to any port ${PANEL_PORT} proto tcp`);
    expect(driftStatuses(await driftOf(rex))).toEqual(["ok", "ok", "ok"]);
    expect(await othersRules()).toEqual(panelRules);
    await expectAdminOnly();
  });

  it("a second tier on the same host: the union of both tiers' rules, each tier's destroy removing only what no other wants", async () => {
    const siong = { ...rex, tier: "siong" as const, adminSources: [runner, lan.address], webPorts: [80, 443, 8443] };
    // both at once: the host-wide lock makes them take turns on ufw
    const [siongCreated, rexAgain] = await Promise.all([runPhase(siong, "create"), runPhase(rex, "update")]);
    expect(siongCreated.exitCode, siongCreated.stderr).toBe(0);
    expect(summaryOf(rexAgain)).toBe("unchanged");
    expect(await httpFromLan(PANEL_PORT), "siong's admin (the LAN host) reaches the panel").toBe("200");
    // Another tier's rules carry the same comment and its record names them: no drift for rex.
    expect(driftStatuses(await driftOf(rex))).toEqual(["ok", "ok", "ok"]);
    expect(driftStatuses(await driftOf(siong))).toEqual(["ok", "ok", "ok"]);

    const removed = await runPhase(siong, "delete");
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("keeping 'allow 443/tcp': another cm-infra owner on this host wants it");
    const tagged = (await onProxy("ufw show added")).split("\n").filter((line) => line.endsWith(" comment 'cm-infra:aapanel'"));
    expect(tagged.sort()).toEqual(
      [`ufw allow from ${runner} to any port 22 proto tcp`, `ufw allow from ${runner} to any port ${PANEL_PORT} proto tcp`, "ufw allow 443/tcp"].map((rule) => `${rule} comment 'cm-infra:aapanel'`).sort(),
    );
    expect(await httpFromLan(PANEL_PORT), "the LAN host was siong's admin only").toBe(CLOSED);
    expect(await onProxy("ls /var/lib/cm-infra/firewall")).toBe("aapanel-rex.ufw\n");
    expect(driftStatuses(await driftOf(rex))).toEqual(["ok", "ok", "ok"]);
    await expectAdminOnly();
  });

  it("destroy removes exactly ours and keeps the panel's rules in their order, but keeps the SSH rule the deployer still needs", async () => {
    const result = await runPhase(rex, "delete");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("changed");
    expect(result.stdout).toContain(`keeping SSH rule 'allow from ${runner} to any port 22 proto tcp'`);
    expect((await onProxy("ufw show added")).match(/cm-infra:/g)).toEqual(["cm-infra:"]);
    expect(await othersRules()).toEqual(panelRules);
    expect(await onProxy(`cat ${aapanelRecordPath("rex")}`)).toBe(`ssh allow from ${runner} to any port 22 proto tcp\n`);
    expect(await httpFromLan(80)).not.toBe(CLOSED);
    expect(httpFromRunner(PANEL_PORT), "the panel's port is closed again: no rule lets it in").toBe(CLOSED);
    expect((await runOverSsh(proxy, "true")).exitCode).toBe(0);
  });

  it("destroy drops our SSH rule once another rule lets the deployer in, and leaves no record", async () => {
    const network = `${runner.split(".").slice(0, 2).join(".")}.0.0/16`;
    await onProxy(`ufw allow from ${network} to any port 22 proto tcp comment 'operator-ssh'`);
    const result = await runPhase(rex, "delete");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await onProxy("ufw show added")).not.toContain("cm-infra:");
    expect(await onProxy("ls /var/lib/cm-infra 2>&1 || true")).toContain("No such file");
    expect((await othersRules()).filter((rule) => !rule.includes("operator-ssh"))).toEqual(panelRules);
    expect((await runOverSsh(proxy, "true")).exitCode).toBe(0);
    expect(summaryOf(await runPhase(rex, "delete"))).toBe("unchanged");
  });

  it("ufw is read once per run: the rule list a run keeps is ufw's own after adds, a rewrite in place and deletes", async () => {
    // An IPv6-only rule (ufw prints those after the rest) and one of ours with another
    // action (an add rewrites it where it stands).
    await onProxy("ufw allow from 2001:db8::/32 to any port 888 proto tcp && ufw deny 443/tcp comment 'cm-infra:aapanel'");
    const created = await runTraced(renderAaPanelFirewallApplyScript(rex));
    expect(summaryOf(created.result)).toBe("changed");
    expect(created.calls).toEqual([
      "show added",
      `allow from ${runner} to any port 22 proto tcp comment cm-infra:aapanel`,
      `allow from ${runner} to any port ${PANEL_PORT} proto tcp comment cm-infra:aapanel`,
      "allow 443/tcp comment cm-infra:aapanel",
    ]);
    const listed = await ufwShowAdded();
    expect(created.added).toEqual(listed);
    expect(listed.indexOf("allow 443/tcp comment 'cm-infra:aapanel'"), "rewritten where it stood").toBeLessThan(listed.indexOf(`allow from ${runner} to any port 22 proto tcp comment 'cm-infra:aapanel'`));
    expect(listed.at(-1)).toBe("allow from 2001:db8::/32 to any port 888 proto tcp");

    const again = await runTraced(renderAaPanelFirewallApplyScript(rex));
    expect(summaryOf(again.result)).toBe("unchanged");
    expect(again.calls).toEqual(["show added"]);
    expect(again.added).toEqual(listed);

    const removed = await runTraced(renderAaPanelFirewallDeleteScript(rex));
    expect(summaryOf(removed.result)).toBe("changed");
    expect(removed.calls).toEqual([
      "show added",
      `delete allow from ${runner} to any port 22 proto tcp comment cm-infra:aapanel`,
      `delete allow from ${runner} to any port ${PANEL_PORT} proto tcp comment cm-infra:aapanel`,
      "delete allow 443/tcp comment cm-infra:aapanel",
    ]);
    expect(removed.added).toEqual(await ufwShowAdded());
    expect(removed.added.join("\n")).not.toContain("cm-infra:");
    expect((await othersRules()).filter((rule) => !rule.includes("operator-ssh") && !rule.includes("2001:db8::"))).toEqual(panelRules);
    expect((await runOverSsh(proxy, "true")).exitCode).toBe(0);
  });
});
