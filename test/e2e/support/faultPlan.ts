import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { SandboxHost } from "../../firewall/support/sandboxHosts";
import type { SshTarget } from "../../firewall/support/sshRunner";
import { countSteps, runInterrupted, runSession, type Interruption, type RemoteRun } from "./faultHook";

const execFileAsync = promisify(execFile);

/** A command string and its stdin, exactly as the provider sends them. */
export interface Script {
  readonly command: string;
  readonly stdin: string;
}

/** One remote script under test, and how to tell whether a host is in a state it may be in. */
export interface Scenario {
  readonly name: string;
  readonly ssh: SshTarget;
  readonly host: SandboxHost;
  /** The first step of the part that changes live state: half the step kills land from there on. */
  readonly focus: RegExp;
  /**
   * ufw: kills inside a ufw call (for scripts that change ufw), at its 1st, 2nd, ... up to
   * the ufwWrites-th write of user.rules (default 4: as many as a run of the script makes).
   */
  readonly runs: { readonly step: number; readonly group: number; readonly ssh: number; readonly ufw?: number; readonly ufwWrites?: number };
  /** Readies run `index`: the script to interrupt, the states it may leave, the one it converges to. */
  setUp(index: number): Promise<{ readonly script: Script; readonly allowed: readonly string[]; readonly target: string }>;
  /** A label for what is live now (e.g. "http=v1 server=v0"). */
  state(): Promise<string>;
  /** What must hold right after an interruption, whatever it hit. */
  checkLive(state: string): Promise<string[]>;
  /** What must hold once the next normal run is done. */
  checkConverged(target: string): Promise<string[]>;
}

export interface FaultRecord {
  readonly interruption: Interruption;
  readonly killedAt: string;
  readonly exitCode: number;
  readonly state: string;
  readonly problems: readonly string[];
  /** Milliseconds spent: interrupted run, checks after it, next run, checks after that. */
  readonly phases: readonly [number, number, number, number];
}

export interface FaultReport {
  readonly name: string;
  readonly steps: number;
  readonly records: readonly FaultRecord[];
  readonly seconds: number;
}

/** A small seeded generator (mulberry32): the same seed picks the same points again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * For scenarios that switch a host between two versions: each call moves to the other
 * version (starting from 0, the one set up before the scenario) and says which it left.
 */
export function versionFlip(): () => { readonly from: 0 | 1; readonly to: 0 | 1 } {
  let current: 0 | 1 = 0;
  return () => {
    const from = current;
    current = from === 0 ? 1 : 0;
    return { from, to: current };
  };
}

/** `count` distinct integers spread evenly over [first, last] (all of them if there are fewer). */
export function spread(first: number, last: number, count: number): number[] {
  const size = last - first + 1;
  if (size <= 0 || count <= 0) return [];
  if (size <= count) return Array.from({ length: size }, (_, index) => first + index);
  return Array.from({ length: count }, (_, index) => first + Math.floor((index * (size - 1)) / Math.max(count - 1, 1)));
}

/**
 * Step kills: a quarter over everything before the focus (reading input, staging, tests),
 * the rest from the focus to the last step the shell runs (its EXIT trap included), where
 * live state changes. Timed kills and cuts: uniform over a normal run's duration.
 */
export function planInterruptions(scenario: Scenario, steps: readonly string[], durationMs: number, random: () => number): Interruption[] {
  const focus = steps.findIndex((step) => scenario.focus.test(step)) + 1;
  if (focus === 0) throw new Error(`${scenario.name}: no step matches ${scenario.focus}; the script changed, update the test`);
  const window = spread(focus, steps.length, scenario.runs.step - Math.floor(scenario.runs.step / 4));
  const before = spread(1, focus - 1, scenario.runs.step - window.length);
  const stepKills = [...before, ...window].map((step): Interruption => ({ mode: "step", step }));
  const timed = (mode: "group" | "ssh", count: number) =>
    Array.from({ length: count }, (): Interruption => ({ mode, afterMs: Math.round(random() * durationMs) }));
  const insideUfw = Array.from({ length: scenario.runs.ufw ?? 0 }, (_, index): Interruption => ({ mode: "ufw", write: (index % (scenario.runs.ufwWrites ?? 4)) + 1 }));
  const others = [...timed("group", scenario.runs.group), ...timed("ssh", scenario.runs.ssh), ...insideUfw];
  // Interleaved, so each kind meets both directions of the change.
  const plan: Interruption[] = [];
  const every = Math.max(1, Math.floor(stepKills.length / Math.max(others.length, 1)));
  stepKills.forEach((kill, index) => {
    plan.push(kill);
    if ((index + 1) % every === 0 && others.length > 0) plan.push(others.shift() as Interruption);
  });
  return [...plan, ...others];
}

/** Runs every planned interruption of one scenario; each is followed by a normal run. */
export async function runScenario(scenario: Scenario, random: () => number): Promise<FaultReport> {
  const started = Date.now();
  const counted = await scenario.setUp(0);
  const { run: countRun, steps } = await countSteps(scenario.ssh, scenario.host, counted.script.command, counted.script.stdin);
  if (countRun.exitCode !== 0) throw new Error(`${scenario.name}: the counting run failed:\n${countRun.stderr}`);
  const timedRun = await scenario.setUp(1);
  const normal = await runSession(scenario.ssh, timedRun.script.command, timedRun.script.stdin);
  if (normal.exitCode !== 0) throw new Error(`${scenario.name}: a normal run failed:\n${normal.stderr}`);
  const plan = planInterruptions(scenario, steps, normal.durationMs, random);
  const records: FaultRecord[] = [];
  for (const [index, interruption] of plan.entries()) {
    const { script, allowed, target } = await scenario.setUp(index + 2);
    const clock = [Date.now()];
    const { run, killedAt } = await runInterrupted(scenario.ssh, scenario.host, script.command, script.stdin, interruption);
    clock.push(Date.now());
    const state = await scenario.state();
    const problems = allowed.includes(state) ? [] : [`live state "${state}", expected one of ${allowed.map((label) => `"${label}"`).join(", ")}`];
    problems.push(...(await scenario.checkLive(state)));
    clock.push(Date.now());
    const next: RemoteRun = await runSession(scenario.ssh, script.command, script.stdin);
    clock.push(Date.now());
    if (next.exitCode !== 0) problems.push(`the next normal run exited ${next.exitCode}: ${next.stderr.trim()}`);
    else problems.push(...(await scenario.checkConverged(target)));
    clock.push(Date.now());
    const phases = [1, 2, 3, 4].map((at) => (clock[at] ?? 0) - (clock[at - 1] ?? 0)) as [number, number, number, number];
    records.push({ interruption, killedAt, exitCode: run.exitCode, state, problems, phases });
  }
  return { name: scenario.name, steps: steps.length, records, seconds: (Date.now() - started) / 1000 };
}

export function describeInterruption(interruption: Interruption): string {
  switch (interruption.mode) {
    case "step":
      return `SIGKILL before step ${interruption.step}`;
    case "ufw":
      return `SIGKILL of the session inside a ufw call, right after ufw's write number ${interruption.write} of user.rules`;
    case "group":
      return `SIGKILL of the session after ${interruption.afterMs} ms`;
    case "ssh":
      return `SSH cut after ${interruption.afterMs} ms`;
  }
}

/** The counts the issue asks for, then one line per failure. */
export function formatReport(report: FaultReport): string {
  const records = report.records;
  const byMode = (mode: Interruption["mode"]) => records.filter((record) => record.interruption.mode === mode);
  const stepPoints = new Set(byMode("step").map((record) => record.interruption.mode === "step" && record.interruption.step));
  const interrupted = records.filter((record) => record.exitCode !== 0).length;
  const states = new Map<string, number>();
  for (const record of records) states.set(record.state, (states.get(record.state) ?? 0) + 1);
  const failures = records.filter((record) => record.problems.length > 0);
  const mean = (phase: number) => (records.reduce((total, record) => total + (record.phases[phase] ?? 0), 0) / Math.max(records.length, 1) / 1000).toFixed(1);
  const lines = [
    `${report.name}: ${records.length} interrupted runs, each followed by a normal run, in ${report.seconds.toFixed(0)} s`,
    `  ${byMode("step").length} SIGKILLs at ${stepPoints.size} distinct steps of ${report.steps}, ${byMode("group").length} SIGKILLs of the whole session at random times, ${byMode("ufw").length > 0 ? `${byMode("ufw").length} SIGKILLs inside a ufw call, ` : ""}${byMode("ssh").length} SSH cuts; ${interrupted} runs ended early (the others finished before the kill)`,
    ...(byMode("ufw").length > 0 ? [`  kills inside ufw that found their moment (the run wrote user.rules that often): ${byMode("ufw").filter((record) => record.killedAt !== "").length} of ${byMode("ufw").length}`] : []),
    `  live state found after the interruption: ${[...states].map(([state, count]) => `${state} x${count}`).join(", ")}`,
    `  mean seconds per run: interrupted ${mean(0)}, checks ${mean(1)}, next run ${mean(2)}, checks ${mean(3)}`,
    `  failures: ${failures.length}`,
    ...failures.map((record) => `    ${describeInterruption(record.interruption)} (${record.killedAt || "no step recorded"}): ${record.problems.join("; ")}`),
  ];
  return lines.join("\n");
}

/** A command on a sandbox host as its root, without blocking the other scenarios. */
export async function onHostAsync(host: SandboxHost, script: string): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("docker", ["exec", host.container, "bash", "-c", script], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof failure.code === "number" ? failure.code : -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? String(error) };
  }
}

/**
 * A new SSH session from the deployer gets in: the lock-out guarantee (the next deploy must
 * be able to connect). A host that refuses it is repaired through the console (ufw reload)
 * once the problem is noted, so one lock-out does not fail every later run as well.
 */
export async function lockOutProblems(ssh: SshTarget, host: SandboxHost): Promise<string[]> {
  const session = await runSession(ssh, "true", "");
  if (session.exitCode === 0) return [];
  const repaired = await onHostAsync(host, "ufw reload");
  return [
    `a new SSH connection from the deployer failed (exit ${session.exitCode}): ${session.stderr.trim()}`,
    `repaired through the console with ufw reload (${repaired.status === 0 ? "done" : `failed: ${repaired.stderr.trim()}`}) so the next run can connect`,
  ];
}
