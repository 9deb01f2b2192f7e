import { describe, expect, test } from "vitest";
import { AAPANEL_LAYOUT } from "../../config/defaults";
import { renderFirewallScripts } from "../../render/firewall/scripts";
import { renderUfwRules } from "../../render/firewall/ufwRules";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../../render/nginx/htpasswdScripts";
import { withReapplyGeneration } from "../../render/remoteScripts";
import { workOfCommand } from "../e2e/support/meter";
import { renderAaPanelUfwRules } from "../../render/aapanelFirewall/rules";
import { renderAaPanelFirewallScripts } from "../../render/aapanelFirewall/scripts";
import { aapanelSpec } from "../firewall/aapanelFixtures";
import { devSpec, rexSpec } from "../firewall/fixtures";
import { edgeSettings } from "../nginx/support/fixtures";
import { ufwModuleRule } from "./ansible";
import { busySeconds, countIn } from "./probes";
import { emptyCounters } from "../e2e/applier/types";
import { BenchRecord } from "./record";
import { commandTimesTable } from "./report";
import { benchSettings } from "./settings";
import { Samples } from "./stats";
import { edgeSite } from "../../render/nginx/site";

// The bench's own logic, without a sandbox: what it refuses before starting, how it tells
// the program's remote commands apart, and how it writes the peers' ufw rules.
describe("bench settings", () => {
  test("defaults: the cmbench sandbox, 5 runs, removed afterwards", () => {
    expect(benchSettings({})).toEqual({ prefix: "cmbench", runs: 5, keepSandbox: false });
  });

  test.each(["CMBench", "cm bench", "-cm", "", "a".repeat(32), "cm.bench"])("prefix %j fails at once, naming up.sh's rule", (prefix) => {
    expect(() => benchSettings({ CM_BENCH_PREFIX: prefix })).toThrow(/breaks sandbox\/up\.sh's rule .*lower-case letters/);
  });

  test("the default sandbox's prefix is refused: the bench would remove it", () => {
    expect(() => benchSettings({ CM_BENCH_PREFIX: "cmsbx" })).toThrow(/default sandbox's prefix/);
  });

  test.each(["0", "51", "2.5", "five", "-1"])("CM_BENCH_RUNS=%j is refused", (runs) => {
    expect(() => benchSettings({ CM_BENCH_RUNS: runs })).toThrow(/CM_BENCH_RUNS=.* must be a whole number from 1 to 50/);
  });

  test("runs and keep are read", () => {
    expect(benchSettings({ CM_BENCH_PREFIX: "cm_b-2", CM_BENCH_RUNS: "3", CM_BENCH_KEEP: "1" })).toEqual({ prefix: "cm_b-2", runs: 3, keepSandbox: true });
    expect(() => benchSettings({ CM_BENCH_KEEP: "yes" })).toThrow(/CM_BENCH_KEEP/);
  });
});

describe("phases of the program's remote commands", () => {
  const layout = AAPANEL_LAYOUT;
  const site = edgeSite(edgeSettings("rex", 8001), layout);
  const firewall = renderFirewallScripts(rexSpec());
  const edge = edgeSiteScripts(site);
  const htpasswd = htpasswdScripts(site);
  const aapanelFirewall = renderAaPanelFirewallScripts(aapanelSpec());

  test.each([
    ["firewall apply", firewall.create, "firewall", "Flask host firewall"],
    ["firewall delete", firewall.delete, "firewall", "Flask host firewall"],
    ["aaPanel firewall apply", aapanelFirewall.create, "firewall", "aaPanel firewall"],
    ["aaPanel firewall delete", aapanelFirewall.delete, "firewall", "aaPanel firewall"],
    ["edge site apply", edge.create, "edge", "edge site"],
    ["edge site delete", edge.delete, "edge", "edge site"],
    ["htpasswd apply", htpasswd.create, "edge", "htpasswd"],
    ["htpasswd delete", htpasswd.delete, "edge", "htpasswd"],
    ["firewall with a reapply generation", withReapplyGeneration(firewall, "7").update, "firewall", "Flask host firewall"],
    ["edge with a reapply generation", withReapplyGeneration(edge, "7").update, "edge", "edge site"],
    ["anything else", "docker ps", "other", "other command"],
  ])("%s", (_name, command, phase, what) => {
    expect(workOfCommand(command)).toEqual({ phase, what });
  });
});

describe("the Ansible peer's ufw rules", () => {
  test("every rule cm-infra renders maps to the ufw module's parameters", () => {
    const rules = renderUfwRules(devSpec({ adminSources: ["any", "10.1.0.0/16"] }));
    expect([...rules.ssh, ...rules.ports].map(ufwModuleRule)).toEqual([
      { rule: "allow", from: "any", port: "22", proto: "tcp" },
      { rule: "allow", from: "10.1.0.0/16", port: "22", proto: "tcp" },
      { rule: "allow", from: "10.0.0.2", port: "8000", proto: "tcp" },
      { rule: "allow", from: "127.0.0.1", port: "8000", proto: "tcp" },
      { rule: "deny", from: "any", port: "8000", proto: "tcp" },
      { rule: "deny", from: "any", port: "3000", proto: "tcp" },
    ]);
  });

  test("and every aaPanel host rule", () => {
    const rules = renderAaPanelUfwRules(aapanelSpec({ adminSources: ["any", "10.0.0.0/8"], webPorts: [80, 443, 8443] }));
    expect(rules.map((rule) => ufwModuleRule(rule.rule))).toEqual([
      { rule: "allow", from: "any", port: "22", proto: "tcp" },
      { rule: "allow", from: "10.0.0.0/8", port: "22", proto: "tcp" },
      { rule: "allow", from: "any", port: "7800", proto: "tcp" },
      { rule: "allow", from: "10.0.0.0/8", port: "7800", proto: "tcp" },
      { rule: "allow", from: "any", port: "80", proto: "tcp" },
      { rule: "allow", from: "any", port: "443", proto: "tcp" },
      { rule: "allow", from: "any", port: "8443", proto: "tcp" },
    ]);
  });

  test("a rule it cannot write fails instead of being dropped", () => {
    expect(() => ufwModuleRule("limit 22/tcp")).toThrow(/does not know how to write/);
  });
});

test("median, min and max per key", () => {
  const samples = new Samples();
  for (const value of [3, 1, 2, 10]) samples.add("even", value);
  for (const value of [5, 4, 6]) samples.add("odd", value);
  expect(samples.summary("even")).toEqual({ median: 2.5, min: 1, max: 10, runs: 4 });
  expect(samples.summary("odd")).toEqual({ median: 5, min: 4, max: 6, runs: 3 });
  expect(samples.summary("none")).toBeUndefined();
});

describe("wall time of work whose pieces may overlap", () => {
  const at = (startedAt: number, endedAt: number) => ({ startedAt, endedAt });

  test("pieces one after another add up; pieces side by side count once", () => {
    expect(busySeconds([at(0, 1000), at(1500, 2000)])).toBe(1.5);
    expect(busySeconds([at(0, 1000), at(200, 800), at(500, 1500)])).toBe(1.5);
    expect(busySeconds([at(2000, 3000), at(0, 1000)])).toBe(2);
    expect(busySeconds([])).toBe(0);
  });

  test("an event inside two overlapping pieces is counted once", () => {
    const events = [{ at: 500, kind: "ssh" as const }, { at: 5000, kind: "ssh" as const }, { at: 600, kind: "ufw" as const }];
    expect(countIn(events, "ssh", [at(0, 1000), at(400, 900)])).toBe(1);
    expect(countIn(events, "ssh", [at(0, 1000), at(4000, 6000)])).toBe(2);
  });

  test("the whole remote side is both hosts' time together: at once it is the longer host, one after the other the sum", () => {
    const record = new BenchRecord();
    const events = new Map<string, never[]>();
    record.comparison("floorAtOnce", "first", { windows: [at(0, 2000)], role: "flaskhost" }, { windows: [at(100, 3000)], role: "proxy" }, events);
    record.comparison("floor", "first", { windows: [at(0, 2000)], role: "flaskhost" }, { windows: [at(2000, 5000)], role: "proxy" }, events);
    expect(record.samples.summary("cmp-floorAtOnce/first/remote/wall")?.median).toBe(3);
    expect(record.samples.summary("cmp-floor/first/remote/wall")?.median).toBe(5);
    expect(record.samples.summary("cmp-floorAtOnce/first/proxy/wall")?.median).toBe(2.9);
  });
});

describe("when each remote command ran", () => {
  test("each command's start and end are read from the apply's start, and listed earliest first; docker calls are not listed", () => {
    const record = new BenchRecord();
    const piece = (what: string, startedAt: number, endedAt: number) => ({ what, startedAt, endedAt });
    record.cmInfra(
      "remote",
      { startedAt: 10_000, endedAt: 14_000 },
      [
        { phase: "edge", host: "proxy", pieces: [piece("edge site", 12_500, 13_000), piece("htpasswd", 10_500, 11_000)], sshConnections: 2, dockerCalls: 0 },
        { phase: "firewall", host: "flaskhost", pieces: [piece("Flask host firewall", 10_400, 12_400)], sshConnections: 1, dockerCalls: 0 },
        { phase: "docker", host: "flaskhost", pieces: [piece("docker", 12_000, 12_100)], sshConnections: 1, dockerCalls: 1 },
      ],
      emptyCounters(),
      new Map(),
      [],
    );
    const lines = commandTimesTable(record.samples, "remote").split("\n").slice(1);
    expect(lines.map((line) => line.split(/\s{2,}/).slice(0, 3))).toEqual([
      ["flaskhost", "Flask host firewall", "0.40 (0.40-0.40)"],
      ["proxy", "htpasswd", "0.50 (0.50-0.50)"],
      ["proxy", "edge site", "2.50 (2.50-2.50)"],
    ]);
    expect(record.samples.summary("at/remote/proxy/edge site/end")?.median).toBe(3);
  });
});
