import { describe, expect, test } from "vitest";
import { resolveStackFile } from "../../config/stackFile";
import type { PlainConfig } from "../../config/validate";
import { type AaPanelFirewallExpectation, judgeAaPanelFirewall } from "../../drift/aapanelFirewall";
import { compareHost } from "../../drift/compare";
import { expectedState } from "../../drift/expected";
import { renderProbeScript } from "../../drift/probe";

// npm run drift on the aaPanel host's ufw: what it expects from a config, and how it judges
// what a probe found (the probe itself runs on real hosts in aapanelSandbox.test.ts).
function rex(change: (config: PlainConfig) => PlainConfig = (config) => config): PlainConfig {
  const resolved = resolveStackFile("rex");
  if (!resolved.ok) throw new Error(resolved.problems.join("\n"));
  return change(resolved.config);
}

const withFirewall = (config: PlainConfig): PlainConfig => ({ ...config, aapanelFirewall: { adminSources: ["203.0.113.0/24"], panelPort: 7800, enableUfw: false } });

function aapanelExpectations(config: PlainConfig): readonly AaPanelFirewallExpectation[] {
  const host = expectedState(config).find((entry) => entry.role === "aapanel");
  return (host?.expectations ?? []).filter((expectation): expectation is AaPanelFirewallExpectation =>
    ["ufwActive", "aapanelUfwRules", "aapanelUfwExposure"].includes(expectation.kind),
  );
}

function expectationOf<K extends AaPanelFirewallExpectation["kind"]>(kind: K): Extract<AaPanelFirewallExpectation, { kind: K }> {
  const found = aapanelExpectations(rex(withFirewall)).find((expectation) => expectation.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} expectation`);
  return found as Extract<AaPanelFirewallExpectation, { kind: K }>;
}

const RULES = [
  "allow from 203.0.113.0/24 to any port 22 proto tcp",
  "allow from 203.0.113.0/24 to any port 7800 proto tcp",
  "allow 80/tcp",
  "allow 443/tcp",
];
const OURS = (rules: readonly string[]) => rules.map((rule) => `A ${rule} comment 'cm-infra:aapanel'`);
const RECORD = ["M ssh allow from 203.0.113.0/24 to any port 22 proto tcp", "M panel allow from 203.0.113.0/24 to any port 7800 proto tcp", "M web allow 80/tcp", "M web allow 443/tcp"];

describe("what drift expects on the aaPanel host", () => {
  test("nothing about ufw without aapanelHost.firewall", () => {
    expect(aapanelExpectations(rex())).toEqual([]);
  });

  test("ufw active, this tier's tagged rules and record, and no rule letting SSH or the panel in beyond the admins", () => {
    expect(aapanelExpectations(rex(withFirewall)).map((expectation) => expectation.kind)).toEqual(["ufwActive", "aapanelUfwRules", "aapanelUfwExposure"]);
    expect(expectationOf("aapanelUfwRules").rules).toEqual(RULES);
    expect(expectationOf("aapanelUfwRules").recordPath).toBe("/var/lib/cm-infra/firewall/aapanel-rex.ufw");
  });

  test("the aaPanel host is checked for its firewall even when the tier publishes nothing there", () => {
    const hosts = expectedState(rex((config) => withFirewall({ ...config, publishThroughEdge: false })));
    expect(hosts.find((host) => host.role === "aapanel")?.expectations.map((expectation) => expectation.kind)).toEqual(["ufwActive", "aapanelUfwRules", "aapanelUfwExposure"]);
  });

  test("the probe runs the scripts' own reading of rules and prints no secret", () => {
    const host = expectedState(rex(withFirewall)).find((entry) => entry.role === "aapanel");
    const script = renderProbeScript(host?.expectations ?? []);
    expect(script).toContain("exposing_rules");
    expect(script).toContain("aapanel-rex.ufw");
    expect(script).not.toMatch(/FAKE-SECRET|BEGIN OPENSSH/);
  });
});

describe("how drift judges the aaPanel host's ufw", () => {
  const rules = expectationOf("aapanelUfwRules");
  const judge = (found: readonly string[]) => judgeAaPanelFirewall(rules, found.join("\n"));

  test("clean: every rule ours and recorded", () => {
    expect(judge([...OURS(RULES), ...RECORD])).toEqual({ expected: "4 rules", found: "4 rules", ok: true });
  });

  test("a rule the panel holds as the same rule counts as there, and says so", () => {
    const verdict = judge([...OURS(RULES.slice(0, 3)), "A allow 443/tcp", ...RECORD]);
    expect(verdict.ok).toBe(true);
    expect(verdict.found).toBe("4 rules (1 held by others: allow 443/tcp)");
  });

  test("a deleted rule, a tagged rule nobody records, and a record that is off are drift", () => {
    expect(judge([...OURS(RULES.slice(1)), ...RECORD])).toMatchObject({ ok: false, found: "missing: allow from 203.0.113.0/24 to any port 22 proto tcp" });
    expect(judge([...OURS([...RULES, "allow 8080/tcp"]), ...RECORD])).toMatchObject({ ok: false, found: "tagged but wanted by no record: allow 8080/tcp" });
    expect(judge([...OURS([...RULES, "allow 8080/tcp"]), ...RECORD, "O web allow 8080/tcp"]).ok).toBe(true);
    expect(judge(OURS(RULES))).toMatchObject({ ok: false, found: `tagged but wanted by no record: ${RULES.join("; ")} | record names: nothing` });
  });

  test("ufw must be active and drop what no rule lets in", () => {
    const active = expectationOf("ufwActive");
    expect(judgeAaPanelFirewall(active, "active deny ")).toEqual({ expected: "active, deny incoming", found: "active, deny incoming", ok: true });
    expect(judgeAaPanelFirewall(active, "active allow ").ok).toBe(false);
    expect(judgeAaPanelFirewall(active, "inactive ")).toEqual({ expected: "active, deny incoming", found: "inactive", ok: false });
    expect(judgeAaPanelFirewall(active, "").found).toBe("no answer from ufw");
  });

  test("a rule opening SSH or the panel beyond the admin sources is drift, named with why", () => {
    const exposure = expectationOf("aapanelUfwExposure");
    expect(judgeAaPanelFirewall(exposure, "")).toEqual({ expected: "none", found: "none", ok: true });
    expect(judgeAaPanelFirewall(exposure, "allow 7800/tcp\tlets 7800 in from any\n")).toEqual({ expected: "none", found: "allow 7800/tcp: lets 7800 in from any", ok: false });
    expect(judgeAaPanelFirewall(exposure, "ufw show added failed").ok).toBe(false);
  });

  test("rows in the drift table, one per artifact", () => {
    const host = expectedState(rex(withFirewall)).find((entry) => entry.role === "aapanel");
    if (host === undefined) throw new Error("no aaPanel host");
    const rows = compareHost(host, new Map());
    expect(rows.filter((row) => row.artifact.startsWith("ufw") || row.artifact.startsWith("ports")).map((row) => row.artifact)).toEqual([
      "ufw status",
      "ufw rules 'cm-infra:aapanel' of rex",
      "ports 22 (SSH) and 7800 (panel) beyond the admin sources",
    ]);
  });
});
