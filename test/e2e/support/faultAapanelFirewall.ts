import { AAPANEL_FIREWALL_HOST_PATHS, aapanelRecordPath } from "../../../render/aapanelFirewall/hostPaths";
import { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules } from "../../../render/aapanelFirewall/rules";
import { renderAaPanelFirewallScripts } from "../../../render/aapanelFirewall/scripts";
import type { AaPanelFirewallSpec } from "../../../render/aapanelFirewall/types";
import type { SandboxHost } from "../../firewall/support/sandboxHosts";
import type { SshTarget } from "../../firewall/support/sshRunner";
import { fingerprintDifference, ufwOutOfSyncProblems } from "./faultFirewall";
import { runSession } from "./faultHook";
import { lockOutProblems, onHostAsync, versionFlip, type Scenario, type Script } from "./faultPlan";

export interface AaPanelFirewallWorld {
  readonly ssh: SshTarget;
  readonly proxy: SandboxHost;
  readonly lan: SandboxHost;
  /** The test runner's address as the proxy sees it: the deployer the scripts must never lock out. */
  readonly deployer: string;
}

const TIER = "rex";
const RECORD = aapanelRecordPath(TIER);
/** A documentation address: version 1 lets it reach SSH and the panel too. */
const EXTRA_ADMIN = "192.0.2.8";
/**
 * What aaPanel's installer leaves on a real host (as test/firewall/aapanelSandbox.test.ts
 * does): the panel's own plain rules. Its "allow 80/tcp" keeps port 80 open after our
 * delete, so "80 answers from the LAN" must hold in both scenarios, and what breaks it is
 * ufw's live chains falling behind its files.
 */
const PANEL_RULES = ["allow 80/tcp", "allow 888/tcp"] as const;

/**
 * Version 1 moves the panel port and adds an admin source, so a flip adds rules and
 * deletes rules in both directions (0 -> 1: three adds, one delete; 1 -> 0: the reverse),
 * and every ufw write of a run can be the one a kill lands after.
 */
export function aapanelFirewallVariant(world: AaPanelFirewallWorld, variant: 0 | 1): AaPanelFirewallSpec {
  return {
    tier: TIER,
    adminSources: variant === 0 ? [world.deployer] : [world.deployer, EXTRA_ADMIN],
    sshPort: 22,
    panelPort: variant === 0 ? 7800 : 8888,
    webPorts: [80, 443],
    enableUfw: true,
  };
}

/** The scripts under test, rendered once: every run of a scenario sends the same text. */
interface Scripts {
  readonly apply: readonly [Script, Script];
  readonly remove: Script;
}

function renderScripts(world: AaPanelFirewallWorld): Scripts {
  const zero = renderAaPanelFirewallScripts(aapanelFirewallVariant(world, 0));
  const one = renderAaPanelFirewallScripts(aapanelFirewallVariant(world, 1));
  return { apply: [{ command: zero.update, stdin: "" }, { command: one.update, stdin: "" }], remove: { command: zero.delete, stdin: "" } };
}

/** The record's lines a clean apply of the version writes ("<kind> <rule>"). */
function recordLines(spec: AaPanelFirewallSpec): Set<string> {
  return new Set(renderAaPanelUfwRules(spec).map(({ kind, rule }) => `${kind} ${rule}`));
}

/** The rules that carry our comment after a clean apply: the wanted ones the panel does not hold already. */
function ourRules(spec: AaPanelFirewallSpec): Set<string> {
  return new Set(renderAaPanelUfwRules(spec).map(({ rule }) => rule).filter((rule) => !(PANEL_RULES as readonly string[]).includes(rule)));
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a, ...b]);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function strictlyBetween(low: ReadonlySet<string>, found: ReadonlySet<string>, high: ReadonlySet<string>): boolean {
  return found.size > low.size && found.size < high.size && [...low].every((item) => found.has(item)) && [...found].every((item) => high.has(item));
}

/**
 * A name for a set of rules: a named set it equals, or "<a>+part of <b>" when it holds all
 * of a and some of b's others. The scripts add before they delete, so a run from x to y
 * is always at x, at "x+part of y" (adding), at the union, at "y+part of x" (deleting) or at y.
 */
function nameSet(found: ReadonlySet<string>, named: ReadonlyArray<readonly [string, ReadonlySet<string>]>, between: ReadonlyArray<readonly [string, string]>): string {
  const exact = named.find(([, set]) => sameSet(set, found));
  if (exact) return exact[0];
  const sets = new Map(named);
  for (const [low, high] of between) {
    const lowSet = sets.get(low);
    const highSet = sets.get(high);
    if (lowSet && highSet && strictlyBetween(lowSet, found, union(lowSet, highSet))) return `${low}+part of ${high}`;
  }
  return "other";
}

const STATE_READ = `ufw show added; echo ---; if [ -e ${RECORD} ]; then cat ${RECORD}; else echo '(no record)'; fi`;

/** Our rules as ufw's files list them, and the record's lines (undefined when there is none). */
async function readState(world: AaPanelFirewallWorld): Promise<{ ours: Set<string>; record: Set<string> | undefined } | string> {
  const read = await onHostAsync(world.proxy, STATE_READ);
  // A ufw that cannot even list its rules is a state to report, not a reason to stop the other runs.
  if (read.status !== 0) return `unreadable (${read.stderr.trim().split("\n").join(" ")})`;
  const [added = "", recorded = ""] = read.stdout.split("---\n");
  const suffix = ` comment '${AAPANEL_UFW_COMMENT}'`;
  const ours = new Set(
    added
      .split("\n")
      .filter((line) => line.startsWith("ufw ") && line.endsWith(suffix))
      .map((line) => line.slice("ufw ".length, -suffix.length)),
  );
  const record = recorded.trim() === "(no record)" ? undefined : new Set(recorded.split("\n").filter((line) => line !== ""));
  return { ours, record };
}

/** ufw's state and rule list (files) and the record, as text: what a finished run must leave byte for byte. */
const FINGERPRINT = `ufw status | head -n 1; ufw show added; echo ---; cat ${RECORD} 2>/dev/null || echo '(no record)'`;

/** Our scratch record and the ufw-change marker: a finished run leaves neither. */
async function leftoverProblems(world: AaPanelFirewallWorld): Promise<string[]> {
  const found = await onHostAsync(
    world.proxy,
    `ls -A ${AAPANEL_FIREWALL_HOST_PATHS.stateDir} 2>/dev/null | grep -E '[.]tmp$|^ufw-change-pending$' || true; ls -A /etc/ufw | grep -E '[.]tmp$' || true`,
  );
  return found.stdout.trim() === "" ? [] : [`left behind: ${found.stdout.trim().split("\n").join(" ")}`];
}

/**
 * What must hold whatever an interruption hit: a new SSH connection from the deployer gets
 * in (lockOutProblems), and port 80 answers the LAN probe (held by the panel's rule: only
 * ufw's live chains falling behind its files would close it).
 */
async function liveProblems(world: AaPanelFirewallWorld): Promise<string[]> {
  const [lockOut, web] = await Promise.all([
    lockOutProblems(world.ssh, world.proxy),
    onHostAsync(world.lan, `curl -s -o /dev/null -w '%{http_code}' --connect-timeout 3 --max-time 6 http://${world.proxy.address}:80/ || true`),
  ]);
  const status = web.stdout.trim() || "000";
  return [...lockOut, ...(status !== "000" ? [] : ["port 80 does not answer the LAN probe"])];
}

/** What each version (and the delete's end state) looks like once a run finishes without interruption. */
export interface AaPanelFirewallVersions {
  /** After a flip from the other version: the rule order a flip leaves, which later flips keep. */
  readonly applied: readonly [string, string];
  /** After the delete from version 0: only the SSH rule the deployer still needs, and its record. */
  readonly deleted: string;
}

/**
 * The panel's rules first, as the installer leaves them, then clean runs: delete from
 * version 0 (its end state), then flips until each version's rule order is the one a
 * flip leaves (a rule added back goes to the end of ufw's list).
 */
async function captureVersions(world: AaPanelFirewallWorld, scripts: Scripts): Promise<AaPanelFirewallVersions> {
  const panel = await onHostAsync(world.proxy, PANEL_RULES.map((rule) => `ufw ${rule} >/dev/null`).join(" && "));
  if (panel.status !== 0) throw new Error(`adding the panel's rules failed: ${panel.stderr}`);
  const run = async (script: Script, what: string) => {
    const result = await runSession(world.ssh, script.command, script.stdin);
    if (result.exitCode !== 0) throw new Error(`aaPanel firewall ${what} failed: ${result.stderr}`);
    return (await onHostAsync(world.proxy, FINGERPRINT)).stdout;
  };
  await run(scripts.apply[0], "version 0");
  const deleted = await run(scripts.remove, "delete");
  const applied: string[] = [];
  for (const variant of [0, 1, 0, 1, 0] as const) applied[variant] = await run(scripts.apply[variant], `version ${variant}`);
  return { applied: [applied[0] ?? "", applied[1] ?? ""], deleted };
}

/**
 * The two aaPanel firewall scenarios (create/update, then delete) on the proxy. They share
 * one capture of the versions, made by whichever runs first, after the edge scenarios: it
 * enables ufw on the proxy, which they run without.
 */
export function aapanelFirewallScenarios(world: AaPanelFirewallWorld): [Scenario, Scenario] {
  // Rendered when the scenarios are built, at the test's start, as the edge's are.
  const scripts = renderScripts(world);
  let captured: Promise<AaPanelFirewallVersions> | undefined;
  const versions = () => (captured ??= captureVersions(world, scripts));
  const specs = [aapanelFirewallVariant(world, 0), aapanelFirewallVariant(world, 1)] as const;
  const ours = specs.map(ourRules);
  const records = specs.map(recordLines);
  const kept = new Set([`allow from ${world.deployer} to any port 22 proto tcp`]);
  const keptRecord = new Set([`ssh allow from ${world.deployer} to any port 22 proto tcp`]);
  const both = (sets: ReadonlyArray<Set<string>>) => union(sets[0] ?? new Set(), sets[1] ?? new Set());

  const state = async (): Promise<string> => {
    const found = await readState(world);
    if (typeof found === "string") return found;
    const rules = nameSet(
      found.ours,
      [["v0", ours[0] ?? new Set()], ["v1", ours[1] ?? new Set()], ["v0+v1", both(ours)], ["kept", kept]],
      [["v0", "v1"], ["v1", "v0"], ["kept", "v0"]],
    );
    const record =
      found.record === undefined
        ? "none"
        : nameSet(found.record, [["v0", records[0] ?? new Set()], ["v1", records[1] ?? new Set()], ["v0+v1", both(records)], ["kept", keptRecord]], []);
    return `ufw=${rules} record=${record}`;
  };

  const convergedProblems = async (target: string, expected: string): Promise<string[]> => {
    const [found, fingerprint, leftovers, outOfSync] = await Promise.all([state(), onHostAsync(world.proxy, FINGERPRINT), leftoverProblems(world), ufwOutOfSyncProblems(world.proxy)]);
    return [
      ...(found === target ? [] : [`converged to "${found}", not "${target}"`]),
      ...(fingerprint.stdout === expected ? [] : [`ufw or the record differ from a clean run: ${fingerprintDifference(expected, fingerprint.stdout)}`]),
      ...leftovers,
      ...outOfSync,
    ];
  };

  const flip = versionFlip();
  const apply: Scenario = {
    name: "aaPanel firewall create/update",
    ssh: world.ssh,
    host: world.proxy,
    // The first change: the record names every rule the run may add before ufw is touched.
    focus: /^write_record "\$\{UNION\[@\]\}"$/,
    runs: { step: 16, group: 4, ssh: 4, ufw: 6 },
    async setUp() {
      await versions();
      const flipped = flip();
      const from = `v${flipped.from}`;
      const to = flipped.to;
      const target = `v${to}`;
      // The record widens to the union, ufw adds then deletes, the record narrows: in that order only.
      const allowed = [
        `ufw=${from} record=${from}`,
        `ufw=${from} record=v0+v1`,
        `ufw=${from}+part of ${target} record=v0+v1`,
        "ufw=v0+v1 record=v0+v1",
        `ufw=${target}+part of ${from} record=v0+v1`,
        `ufw=${target} record=v0+v1`,
        `ufw=${target} record=${target}`,
      ];
      return { script: scripts.apply[to], allowed, target: `ufw=${target} record=${target}` };
    },
    state,
    async checkLive() {
      return liveProblems(world);
    },
    async checkConverged(target) {
      const variant = target.startsWith("ufw=v1") ? 1 : 0;
      return convergedProblems(target, (await versions()).applied[variant]);
    },
  };

  const remove: Scenario = {
    name: "aaPanel firewall delete",
    ssh: world.ssh,
    host: world.proxy,
    focus: /^release_all$/,
    runs: { step: 6, group: 2, ssh: 2, ufw: 2 },
    async setUp() {
      await versions();
      const created = await runSession(world.ssh, scripts.apply[0].command, "");
      if (created.exitCode !== 0) throw new Error(`re-applying the aaPanel firewall failed: ${created.stderr}`);
      // Rules go one by one (the deployer's SSH rule stays: nothing else lets it in), then the record shrinks to that rule.
      return {
        script: scripts.remove,
        allowed: ["ufw=v0 record=v0", "ufw=kept+part of v0 record=v0", "ufw=kept record=v0", "ufw=kept record=kept"],
        target: "ufw=kept record=kept",
      };
    },
    state,
    async checkLive() {
      return liveProblems(world);
    },
    async checkConverged(target) {
      return convergedProblems(target, (await versions()).deleted);
    },
  };
  return [apply, remove];
}
