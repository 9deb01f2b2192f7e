import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { afterAll, beforeAll, expect, test } from "vitest";
import { AAPANEL_LAYOUT } from "../../config/defaults";
import { loadConfig } from "../../config/load";
import { renderHtpasswd } from "../../render/nginx/htpasswd";
import { changeCount, htpasswdBcrypt, openSshExecutor } from "../e2e/applier";
import { SandboxDeployment } from "../e2e/support/deployment";
import { HostMeter, epochMs } from "../e2e/support/meter";
import { type Sandbox, startSandbox, stopSandbox } from "../e2e/support/sandbox";
import { EDGE_PLAY, FIREWALL_PLAY, runAnsible } from "./ansible";
import { FloorRunner } from "./floor";
import { type HostState, differences, edgeState, firewallState } from "./hostState";
import { type EdgeWork, type FirewallWork, edgeWork, firewallWork } from "./peerWork";
import { type Window, hostEvents, installProbes } from "./probes";
import { BenchRecord, type EventsByHost } from "./record";
import { ansibleLines, cmInfraTable, commandTimesTable, peerTable, targetLines } from "./report";
import { clearLeftoverContainers, resetHosts } from "./resetHosts";
import { type ConvergeCommands, convergeCommands, runScriptsAlone } from "./scriptsAlone";
import { benchSettings } from "./settings";

// npm run bench (settings.ts: CM_BENCH_PREFIX, CM_BENCH_RUNS, CM_BENCH_KEEP). Each run:
// cm-infra converges the sandbox from empty, applies again with nothing to do, re-runs its
// remote scripts (reapplyGeneration) with nothing to change, runs them again on hosts reset
// to fresh (its remote side's first apply, as the engine runs it), and destroys; then
// cm-infra's scripts alone, the floor script (one host after the other, then both at once)
// and the Ansible playbook do the same firewall and edge work, first apply and re-run. The
// hosts are reset before every first apply. It measures and prints; it asserts behaviour
// only (the no-op changes nothing and opens no command session, a re-apply generation
// re-runs the scripts), never time.
const settings = benchSettings(process.env);
const record = new BenchRecord();
const ROLES = ["flaskhost", "proxy"] as const;
let sandbox: Sandbox | undefined;
let meter: HostMeter;
let deployment: SandboxDeployment | undefined;
let floor: FloorRunner;
const scriptSsh = openSshExecutor();
let work: { readonly firewall: FirewallWork; readonly edge: EdgeWork; readonly commands: ConvergeCommands } | undefined;
/** Other work on the machine slows every column; the report says how busy it was. */
const loads: string[] = [];

interface LeftState {
  readonly firewall: HostState;
  readonly edge: HostState;
}

function started(): Sandbox {
  if (sandbox === undefined) throw new Error("no sandbox");
  return sandbox;
}

function rendered(): { readonly firewall: FirewallWork; readonly edge: EdgeWork; readonly commands: ConvergeCommands } {
  if (work === undefined) throw new Error("no rendered work");
  return work;
}

function eventsSince(startedAt: number): EventsByHost {
  return new Map(ROLES.map((role) => [role, hostEvents(started().hosts[role], startedAt)]));
}

/** An apply whose failed step leaves a dependent waiting would otherwise hang the bench. */
const APPLY_LIMIT_MS = 15 * 60_000;

async function timed<T>(action: () => Promise<T>): Promise<{ readonly result: T; readonly window: Window }> {
  const startedAt = epochMs();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`an apply did not finish in ${APPLY_LIMIT_MS / 60_000} min`)), APPLY_LIMIT_MS);
  });
  try {
    const result = await Promise.race([action(), limit]);
    return { result, window: { startedAt, endedAt: epochMs() } };
  } finally {
    clearTimeout(timer);
  }
}

function leftState(): LeftState {
  const { firewall, edge } = rendered();
  return { firewall: firewallState(started().hosts.flaskhost, firewall), edge: edgeState(started().hosts.proxy, edge) };
}

function checkSameState(who: string, expected: LeftState): void {
  const actual = leftState();
  const differing = [...differences(expected.firewall, actual.firewall), ...differences(expected.edge, actual.edge)];
  if (differing.length > 0) record.notes.add(`${who} left the hosts unlike cm-infra: ${differing.join(", ")} differ`);
}

/**
 * The work the peers do, rendered from the program's own config as the apply just read it,
 * and the commands that apply ran, for running cm-infra's scripts alone.
 */
async function renderWork(active: SandboxDeployment): Promise<void> {
  const config = loadConfig();
  if (config.edge.layout.nginxBinary !== AAPANEL_LAYOUT.nginxBinary) throw new Error("the bench's nginx probe assumes aaPanel's layout");
  const hash = await htpasswdBcrypt()(randomBytes(24).toString("base64url"));
  work = {
    firewall: firewallWork(config),
    edge: edgeWork(config, renderHtpasswd(config.edge.operatorUser, hash)),
    commands: convergeCommands(active.applier, config.tier),
  };
}

async function measureCmInfra(iteration: number, active: SandboxDeployment): Promise<LeftState> {
  meter.take();
  const converge = await timed(() => active.apply());
  record.cmInfra("converge", converge.window, meter.take(), converge.result.counters, eventsSince(converge.window.startedAt), ROLES);
  if (work === undefined) await renderWork(active);
  const left = leftState();

  const noop = await timed(() => active.apply());
  record.cmInfra("noop", noop.window, meter.take(), noop.result.counters, eventsSince(noop.window.startedAt), ROLES);
  expect(changeCount(noop.result.counters), "a no-op up changes nothing").toBe(0);
  expect(noop.result.counters.sshSessions, "a no-op up opens no SSH session for commands").toBe(0);

  const rerun = await timed(() => active.apply({ reapplyGeneration: `bench-${iteration}` }));
  const rerunFigures = meter.take();
  const rerunEvents = eventsSince(rerun.window.startedAt);
  record.cmInfra("rerun", rerun.window, rerunFigures, rerun.result.counters, rerunEvents, ROLES);
  record.cmInfraComparison("rerun", rerunFigures, rerunEvents);
  const { flaskHost, aapanelHost } = rendered().commands;
  expect(rerun.result.counters.commands.update, "a new reapplyGeneration re-runs every remote script").toBe(flaskHost.length + aapanelHost.length);

  // The remote side's first apply as the engine runs it, on its own: the hosts lose their
  // firewall and edge (as rebuilt hosts would), the app stays current, and a new
  // reapplyGeneration runs every remote command again (update runs create's script). In
  // the converge from empty the same commands share the machine with Docker's work.
  reset();
  const remote = await timed(() => active.apply({ reapplyGeneration: `bench-${iteration}-reset-hosts` }));
  const remoteFigures = meter.take();
  const remoteEvents = eventsSince(remote.window.startedAt);
  record.cmInfra("remote", remote.window, remoteFigures, remote.result.counters, remoteEvents, ROLES);
  record.cmInfraComparison("first", remoteFigures, remoteEvents);
  checkSameState("cm-infra's apply on reset hosts", left);

  const destroy = await timed(() => active.destroy());
  record.cmInfra("destroy", destroy.window, meter.take(), destroy.result, eventsSince(destroy.window.startedAt), ROLES);
  return left;
}

async function measureScriptsAlone(expected: LeftState): Promise<void> {
  for (const run of ["first", "rerun"] as const) {
    const { flaskHost, aapanelHost } = await runScriptsAlone(scriptSsh, rendered().commands);
    record.comparison("scripts", run, { windows: [flaskHost], role: "flaskhost" }, { windows: [aapanelHost], role: "proxy" }, eventsSince(flaskHost.startedAt));
    if (run === "first") checkSameState("cm-infra's scripts alone", expected);
  }
}

/** One host after the other, or both at once (as the engine runs independent commands). */
async function measureFloor(expected: LeftState, atOnce: boolean): Promise<void> {
  const { flaskhost, proxy } = started().hosts;
  const method = atOnce ? "floorAtOnce" : "floor";
  for (const run of ["first", "rerun"] as const) {
    const startedAt = epochMs();
    const [firewall, edge] = atOnce
      ? await Promise.all([floor.firewall(flaskhost, rendered().firewall), floor.edge(proxy, rendered().edge)])
      : [await floor.firewall(flaskhost, rendered().firewall), await floor.edge(proxy, rendered().edge)];
    record.comparison(method, run, { windows: [firewall], role: "flaskhost" }, { windows: [edge], role: "proxy" }, eventsSince(startedAt));
    if (run === "first") checkSameState(atOnce ? "the floor script, both hosts at once" : "the floor script", expected);
  }
}

async function measureAnsible(expected: LeftState): Promise<void> {
  for (const run of ["first", "rerun"] as const) {
    const result = await runAnsible(started(), rendered().firewall, rendered().edge);
    const firewallPlay = result.plays.get(FIREWALL_PLAY);
    const edgePlay = result.plays.get(EDGE_PLAY);
    if (firewallPlay === undefined || edgePlay === undefined) throw new Error("the Ansible report lacks a play");
    // Each play touches one host, so that host's events during the process are the play's.
    record.comparison(
      "ansible",
      run,
      { windows: [firewallPlay], role: "flaskhost", eventWindow: result },
      { windows: [edgePlay], role: "proxy", eventWindow: result },
      eventsSince(result.startedAt),
    );
    record.add(`cmp-ansible/${run}/process/wall`, (result.endedAt - result.startedAt) / 1000);
    if (run === "first") checkSameState("the Ansible playbook", expected);
    else if (result.changed > 0) record.notes.add(`the Ansible re-run reported ${result.changed} change(s)`);
  }
}

function reset(): void {
  resetHosts(started().hosts.flaskhost, started().hosts.proxy, AAPANEL_LAYOUT);
}

function printReport(): void {
  const lines = [
    "",
    `Load average (1 min) at the start of each run: ${loads.join(", ") || "-"}; ${loadavg()[0]?.toFixed(1)} at the end. The machine has ${cpus().length} cores.`,
    `cm-infra on the sandbox, ${settings.runs} run(s); per phase and host: wall time of that host's work in that phase, median (min-max)`,
    cmInfraTable(record.samples),
    "",
    "When cm-infra's remote commands ran, in seconds from the apply's start (the engine starts a command once all it waits for has finished):",
    "converge from empty:",
    commandTimesTable(record.samples, "converge"),
    "remote side on reset hosts, app current:",
    commandTimesTable(record.samples, "remote"),
    "",
    "The same firewall and edge work per host: cm-infra's phases in the applies above, its scripts alone (the same commands, one SSH session each), a floor script (bench/floor, one SSH session per host), Ansible (bench/ansible, one play per host)",
    peerTable(record.samples),
    "",
    "Ansible against cm-infra, medians of the per-run ratios:",
    ansibleLines(record.samples),
    "",
    "Targets (issue 11), on the medians of the per-run ratios:",
    targetLines(record.samples),
    "",
    "Counted on the hosts: ssh conns = sshd logins (each docker call over SSH is one), ufw calls = runs of ufw, nginx reloads = runs of nginx -s reload.",
    "Not in cm-infra's figures: the Pulumi engine's own time (CLI start, plugins, program, state), which cannot run here.",
    ...[...record.notes].map((note) => `NOTE: ${note}`),
    "",
  ];
  console.log(lines.join("\n"));
}

beforeAll(() => {
  const ansible = spawnSync("ansible-playbook", ["--version"], { encoding: "utf8" });
  if (ansible.status !== 0) throw new Error("ansible-playbook is missing: the bench's Ansible peer needs Debian's package (apt-get install -y ansible)");
  const startedAt = epochMs();
  sandbox = startSandbox(settings.prefix);
  console.log(`sandbox ${settings.prefix} up in ${((epochMs() - startedAt) / 1000).toFixed(0)} s; ${settings.runs} run(s)`);
  installProbes([sandbox.hosts.flaskhost, sandbox.hosts.proxy], sandbox.hosts.proxy, AAPANEL_LAYOUT.nginxBinary);
  clearLeftoverContainers(sandbox.hosts.flaskhost);
  reset();
  meter = new HostMeter(new Map(Object.entries(sandbox.hosts).map(([role, host]) => [host.address, role])));
  deployment = new SandboxDeployment(sandbox, meter);
  floor = new FloorRunner(readFileSync(sandbox.sshKey, "utf8"));
}, 45 * 60_000);

afterAll(async () => {
  try {
    // A run that failed half-way leaves resources in the applier's state.
    if (deployment) await deployment.destroy();
  } finally {
    deployment?.close();
    printReport();
    if (sandbox !== undefined && !settings.keepSandbox) stopSandbox(settings.prefix);
  }
}, 15 * 60_000);

test(`${settings.runs} run(s): cm-infra, its scripts alone, the floor script (two ways) and Ansible on the same hosts`, async () => {
  const active = deployment;
  if (active === undefined) throw new Error("no deployment");
  for (let iteration = 1; iteration <= settings.runs; iteration += 1) {
    record.startRun();
    loads.push(loadavg()[0]?.toFixed(1) ?? "?");
    const expected = await measureCmInfra(iteration, active);
    reset();
    await measureScriptsAlone(expected);
    reset();
    await measureFloor(expected, false);
    reset();
    await measureFloor(expected, true);
    reset();
    await measureAnsible(expected);
    reset();
    record.ratios("first");
    record.ratios("rerun");
  }
}, 4 * 60 * 60_000);
