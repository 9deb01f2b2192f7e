import { alignColumns } from "../../drift/table";
import { type Samples, formatCount, formatRatio, formatSeconds } from "./stats";

/** cm-infra's scenarios, in the order each run measures them. */
export const SCENARIOS = [
  ["converge", "converge from empty"],
  ["noop", "no-op up"],
  ["rerun", "re-run scripts (reapplyGeneration), nothing to change"],
  ["remote", "remote side on reset hosts (reapplyGeneration), app current"],
  ["destroy", "destroy"],
] as const;
export type Scenario = (typeof SCENARIOS)[number][0];

/** The two runs every method makes of the firewall and edge work. */
export const PEER_RUNS = [
  ["first", "first apply"],
  ["rerun", "unchanged re-run"],
] as const;
export type PeerRun = (typeof PEER_RUNS)[number][0];

const PHASE_ORDER = ["firewall", "docker", "edge", "other", "all"];

/** Table 1: cm-infra per scenario, phase and host. */
export function cmInfraTable(samples: Samples): string {
  const rows: string[][] = [["scenario", "phase", "host", "wall s median (min-max)", "ssh conns", "docker calls", "ufw calls", "nginx reloads"]];
  for (const [scenario, label] of SCENARIOS) {
    const prefix = `cm/${scenario}/`;
    const groups = [...new Set(samples.keys().filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length).split("/").slice(0, 2).join("/")))];
    groups.sort((left, right) => PHASE_ORDER.indexOf(left.split("/")[0] ?? "") - PHASE_ORDER.indexOf(right.split("/")[0] ?? ""));
    for (const group of groups) {
      const [phase = "", host = ""] = group.split("/");
      const key = (metric: string) => samples.summary(`${prefix}${group}/${metric}`);
      rows.push([
        label,
        phase === "all" ? "(whole run)" : phase,
        host === "all" ? "(all)" : host,
        formatSeconds(key("wall")),
        formatCount(key("ssh")),
        formatCount(key("docker")),
        formatCount(key("ufw")),
        formatCount(key("reload")),
      ]);
    }
  }
  return alignColumns(rows);
}

/** When each remote command of a scenario ran, in seconds from the apply's start, earliest first. */
export function commandTimesTable(samples: Samples, scenario: Scenario): string {
  const prefix = `at/${scenario}/`;
  const commands = [...new Set(samples.keys().filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length).replace(/\/(start|end)$/, "")))];
  const start = (command: string) => samples.summary(`${prefix}${command}/start`)?.median ?? 0;
  commands.sort((left, right) => start(left) - start(right));
  const rows: string[][] = [["host", "command", "starts at s, median (min-max)", "ends at s"]];
  for (const command of commands) {
    const [host = "", what = ""] = command.split("/");
    rows.push([host, what, formatSeconds(samples.summary(`${prefix}${command}/start`)), formatSeconds(samples.summary(`${prefix}${command}/end`))]);
  }
  return alignColumns(rows);
}

const COMPARED = [
  ["flaskhost", "Flask host: firewall"],
  ["proxy", "aaPanel host: firewall + edge"],
  ["remote", "whole remote side"],
] as const;

const METHODS = [
  ["converge", "cm-infra, as the engine runs it"],
  ["floorAtOnce", "floor script, both hosts at once"],
  ["scripts", "cm-infra scripts, one after another"],
  ["floor", "floor script, one host after the other"],
  ["ansible", "Ansible plays (one after the other)"],
] as const;

/** Table 2: the same host work by cm-infra (in its converge and alone), the floor script and Ansible. */
export function peerTable(samples: Samples): string {
  const rows: string[][] = [["work", "run", "by", "wall s median (min-max)", "/ its floor", "ufw calls", "ssh conns", "nginx reloads"]];
  for (const [run, runLabel] of PEER_RUNS) {
    for (const [work, workLabel] of COMPARED) {
      for (const [method, methodLabel] of METHODS) {
        const of = (metric: string) => samples.summary(`cmp-${method}/${run}/${work}/${metric}`);
        if (of("wall") === undefined) continue;
        rows.push([
          workLabel,
          runLabel,
          methodLabel,
          formatSeconds(of("wall")),
          method === "floor" || method === "floorAtOnce" ? "1" : formatRatio(samples.summary(`ratio/${run}/${work}/${method}-floor`)),
          formatCount(of("ufw")),
          formatCount(of("ssh")),
          formatCount(of("reload")),
        ]);
      }
    }
    const process = samples.summary(`cmp-ansible/${run}/process/wall`);
    if (process !== undefined) rows.push(["whole remote side", runLabel, "ansible-playbook process", formatSeconds(process), "", "", "", ""]);
  }
  return alignColumns(rows);
}

/** Ansible against cm-infra, per run. */
export function ansibleLines(samples: Samples): string {
  return PEER_RUNS.map(([run, label]) => {
    const ratio = (key: string) => formatRatio(samples.summary(`ratio/${run}/${key}`));
    return `- ${label}: Ansible plays / cm-infra's remote side as the engine runs it ${ratio("remote/ansible-converge")} (the whole ansible-playbook process: ${ratio("process/ansible-converge")}); / cm-infra's scripts one after another ${ratio("remote/ansible-scripts")}`;
  }).join("\n");
}

interface Target {
  readonly label: string;
  readonly key: string;
  readonly test: (value: number) => boolean;
  readonly rule: string;
}

const TARGETS: readonly Target[] = [
  { label: "firewall script alone, first apply, / floor", key: "ratio/first/flaskhost/scripts-floor", test: (value) => value <= 1.3, rule: "<= 1.3" },
  { label: "firewall script alone, unchanged re-run, / floor", key: "ratio/rerun/flaskhost/scripts-floor", test: (value) => value <= 1.3, rule: "<= 1.3" },
  { label: "whole remote side, first apply, cm-infra as the engine runs it / floor with both hosts at once", key: "ratio/first/remote/converge-floor", test: (value) => value <= 1.3, rule: "<= 1.3" },
  { label: "whole remote side, first apply, Ansible plays / cm-infra as the engine runs it", key: "ratio/first/remote/ansible-converge", test: (value) => value >= 4, rule: ">= 4" },
  { label: "no-op up: SSH connections for commands", key: "check/noop/command-ssh", test: (value) => value === 0, rule: "= 0" },
  { label: "no-op up: nginx reloads", key: "cm/noop/all/all/reload", test: (value) => value === 0, rule: "= 0" },
];

/** Issue 11's targets, on the medians of this run. */
export function targetLines(samples: Samples): string {
  return TARGETS.map((target) => {
    const summary = samples.summary(target.key);
    if (summary === undefined) return `- ${target.label}: not measured`;
    const value = Number.isInteger(summary.median) ? String(summary.median) : summary.median.toFixed(2);
    return `- ${target.label}: ${value} (target ${target.rule}): ${target.test(summary.median) ? "met" : "NOT met"}`;
  }).join("\n");
}
