import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { AAPANEL_COMMON, AAPANEL_RULES } from "../../render/aapanelFirewall/scriptParts";
import { AAPANEL_FIREWALL_SUMMARY_PATTERN } from "../../render/aapanelFirewall/hostPaths";
import { renderAaPanelUfwRules } from "../../render/aapanelFirewall/rules";
import { renderAaPanelFirewallApplyScript, renderAaPanelFirewallDeleteScript, renderAaPanelFirewallScripts } from "../../render/aapanelFirewall/scripts";
import { aapanelFirewallSpecProblems } from "../../render/aapanelFirewall/validate";
import { FIREWALL_SHARED, PRELUDE } from "../../render/scriptParts";
import { aapanelSpec } from "./aapanelFixtures";
import { expectFirewallScriptFrame, scriptInside } from "./fixtures";

describe("aaPanel host ufw rules", () => {
  it("are written the way `ufw show added` prints them: SSH first, then the panel, then the web ports", () => {
    expect(renderAaPanelUfwRules(aapanelSpec({ adminSources: ["any", "10.0.0.0/8", "any"], webPorts: [80, 443, 8443, 443] }))).toEqual([
      { kind: "ssh", rule: "allow 22/tcp" },
      { kind: "ssh", rule: "allow from 10.0.0.0/8 to any port 22 proto tcp" },
      { kind: "panel", rule: "allow 7800/tcp" },
      { kind: "panel", rule: "allow from 10.0.0.0/8 to any port 7800 proto tcp" },
      { kind: "web", rule: "allow 80/tcp" },
      { kind: "web", rule: "allow 443/tcp" },
      { kind: "web", rule: "allow 8443/tcp" },
    ]);
  });

  it.each([
    ["the panel on SSH's port", { panelPort: 22 }, /sshPort and panelPort must differ/],
    ["the panel on a web port", { panelPort: 443 }, /panelPort 443 is also a web port/],
    ["no admin source", { adminSources: [] }, /locked out/],
    ["a shell payload as admin source", { adminSources: ["10.0.0.0/8; reboot"] }, /admin source/],
    ["port 0", { panelPort: 0 }, /panelPort must be a port number/],
  ])("refuses %s (config validation names the key first)", (_name, overrides, problem) => {
    expect(aapanelFirewallSpecProblems(aapanelSpec(overrides)).join("\n")).toMatch(problem);
    expect(() => renderAaPanelFirewallScripts(aapanelSpec(overrides))).toThrow(/invalid aaPanel firewall settings for tier rex/);
  });
});

describe("aaPanel firewall scripts", () => {
  const scripts = renderAaPanelFirewallScripts(aapanelSpec());

  it("run the same idempotent script on create and update, nothing on stdin, ufw in the C locale", () => {
    expect(scripts.update).toBe(scripts.create);
    expect(scripts.stdin).toBe("");
    expect(scriptInside(scripts.create).trimEnd()).toBe(renderAaPanelFirewallApplyScript(aapanelSpec()).trimEnd());
    expect(scriptInside(scripts.delete).trimEnd()).toBe(renderAaPanelFirewallDeleteScript(aapanelSpec()).trimEnd());
    for (const script of [scriptInside(scripts.create), scriptInside(scripts.delete)]) {
      expectFirewallScriptFrame(script, "cm-infra aapanel firewall rex");
    }
  });

  it("name the config keys when they refuse", () => {
    const apply = scriptInside(scripts.create);
    expect(apply).toContain("aapanelHost.firewall.enableUfw is false");
    expect(apply).toContain("which aapanelHost.firewall.adminSources");
    expect(apply).toContain("ufw's default incoming policy is allow");
  });

  it("expose a summary pattern that tells changed from unchanged", () => {
    expect("x\ncm-infra aapanel firewall rex: unchanged\n").toMatch(AAPANEL_FIREWALL_SUMMARY_PATTERN);
    expect("cm-infra aapanel firewall rex: changed".match(AAPANEL_FIREWALL_SUMMARY_PATTERN)?.groups).toMatchObject({ tier: "rex", result: "changed" });
    expect("cm-infra firewall rex: changed").not.toMatch(AAPANEL_FIREWALL_SUMMARY_PATTERN);
  });

  for (const [name, spec] of Object.entries({ narrowed: aapanelSpec(), open: aapanelSpec({ adminSources: ["any"], enableUfw: false, webPorts: [80, 443, 8443] }) })) {
    for (const phase of ["create", "delete"] as const) {
      it(`pass shellcheck: ${name} ${phase} (apt: shellcheck)`, () => {
        const result = spawnSync("shellcheck", ["-s", "bash", "-"], { input: scriptInside(renderAaPanelFirewallScripts(spec)[phase]), encoding: "utf8" });
        expect(result.error, "shellcheck is not installed (apt-get install shellcheck)").toBeUndefined();
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
      });
    }
  }
});

/** Runs the rule-reading functions in a local bash, as the host runs them. */
function bash(body: string, admin: readonly string[] = ["10.0.0.0/8", "192.168.1.5"]): string {
  const script = ["set -euo pipefail", `ADMIN_SOURCES=(${admin.join(" ")})`, "SSH_PORT=22 PANEL_PORT=7800 COMMENT=cm-infra:aapanel", AAPANEL_RULES, body].join("\n");
  const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return result.stdout;
}

describe("reading ufw rules (shared by the scripts and the drift probe)", () => {
  // [rule as `ufw show added` prints it, lets 10.2.3.4 reach SSH, lets "no known address" reach SSH,
  //  why it exposes SSH beyond 10.0.0.0/8 and 192.168.1.5 ("" = it does not)]
  const CASES: readonly (readonly [string, boolean, boolean, string])[] = [
    ["allow 22/tcp", true, true, "lets 22 in from any"],
    ["allow 22", true, true, "lets 22 in from any"],
    ["limit 22/tcp", true, true, "lets 22 in from any"],
    ["allow OpenSSH", true, true, "lets 22 in from any"],
    ["allow 20:30/tcp", true, true, "lets 22 in from any"],
    ["allow 21,22/tcp", true, true, "lets 22 in from any"],
    ["allow 22/udp", false, false, ""],
    ["allow 20,21/tcp", false, false, ""],
    ["deny 22/tcp", false, false, ""],
    ["allow out 22/tcp", false, false, ""],
    ["route allow 22/tcp", false, false, ""],
    ["allow from 10.0.0.0/8 to any port 22 proto tcp", true, false, ""],
    ["allow from 10.2.0.0/16 to any app OpenSSH", true, false, ""],
    ["allow from 10.1.0.0/16 to any port 22 proto tcp", false, false, ""],
    ["allow from 192.168.1.5 to any port 22 proto tcp", false, false, ""],
    ["allow from 192.168.1.0/24 to any port 22 proto tcp", false, false, "lets 22 in from 192.168.1.0/24"],
    ["allow from 192.168.1.0/24", false, false, "lets 22 in from 192.168.1.0/24"],
    ["allow from 2001:db8::/32 to any port 22", false, false, "lets 22 in from 2001:db8::/32"],
    ["allow in on eth0 to any port 22", false, false, "may let 22 in (not read: check it)"],
    ["allow in on eth0 to any port 2222", false, false, ""],
    ["allow 80/tcp", false, false, ""],
  ];

  it.each(CASES)("%s", (rule, letsAdmin, letsAnyone, exposes) => {
    const out = bash(
      `r=${JSON.stringify(rule)}
       if rule_lets_in "$r" 22 10.2.3.4; then echo yes; else echo no; fi
       if rule_lets_in "$r" 22 ""; then echo yes; else echo no; fi
       rule_exposes "$r" 22 || echo -`,
    );
    expect(out.split("\n").slice(0, 3)).toEqual([letsAdmin ? "yes" : "no", letsAnyone ? "yes" : "no", exposes === "" ? "-" : exposes]);
  });

  it("counts nothing as exposed when the admin sources are any", () => {
    expect(bash(`rule_exposes "allow 22/tcp" 22 || echo -`, ["any"])).toBe("-\n");
  });

  it("lists the exposing rules among the added ones, skipping ours, with each port named", () => {
    const added = [
      "allow 7800/tcp",
      "allow from 10.0.0.0/8 to any port 22 proto tcp comment 'cm-infra:aapanel'",
      "allow 22/tcp comment 'cm-infra:aapanel'",
      "allow from 203.0.113.9",
      "allow 80/tcp",
    ].join("\n");
    expect(bash(`ADDED=$(cat <<'RULES'\n${added}\nRULES\n)\nexposing_rules`).split("\n").filter(Boolean)).toEqual([
      "allow 7800/tcp\tlets 7800 in from any",
      "allow from 203.0.113.9\tlets 22 in from 203.0.113.9",
      "allow from 203.0.113.9\tlets 7800 in from 203.0.113.9",
    ]);
  });

  it("tells networks apart by their bits", () => {
    const out = bash(
      [
        "source_contains 10.0.0.0/8 10.255.0.0/16 && echo a",
        "source_contains 10.0.0.0/8 11.0.0.0/16 || echo b",
        "source_contains 10.0.0.0/16 10.0.0.0/8 || echo c",
        "source_contains any 1.2.3.4 && echo d",
        "source_contains 1.2.3.4 any || echo e",
        "source_contains 1.2.3.4 1.2.3.4 && echo f",
        "source_contains 1.2.3.4 fd00::1 || echo g",
        "source_contains 1.2.3.256 1.2.3.4 || echo h",
      ].join("\n"),
    );
    expect(out).toBe("a\nb\nc\nd\ne\nf\ng\nh\n");
  });
});

/**
 * Runs the scripts' rule-list bookkeeping in a local bash, with a stand-in ufw that logs
 * its arguments and answers $UFW_ANSWER; `ufw show added` prints $UFW_LIST. Prints the
 * logged ufw calls, then ADDED.
 */
function withStandInUfw(list: readonly string[], body: string, answer = "Rule added"): { calls: string[]; added: string[] } {
  const script = [
    "set -euo pipefail",
    'work=$(mktemp -d) && trap \'rm -rf "$work"\' EXIT',
    'LABEL="cm-infra aapanel firewall rex" FAILED_SUMMARY="" LOCK_WAIT=1 LOCK_FILE=$work/lock',
    'TIER=rex SSH_PORT=22 PANEL_PORT=7800 ADMIN_SOURCES=(10.0.0.0/8) COMMENT=cm-infra:aapanel COMMENT_PREFIX=cm-infra: STATE_DIR=$work',
    PRELUDE,
    AAPANEL_RULES,
    AAPANEL_COMMON,
    FIREWALL_SHARED,
    `UFW_LIST=$(cat <<'RULES'\nAdded user rules (see 'ufw status' for running firewall):\n${list.map((line) => `ufw ${line}\n`).join("")}RULES\n)`,
    `UFW_ANSWER=${JSON.stringify(answer)}`,
    'ufw() { printf \'%s\\n\' "$*" >>"$work/calls"; if [[ $* == "show added" ]]; then printf \'%s\\n\' "$UFW_LIST"; else printf \'%s\\n\' "$UFW_ANSWER"; fi; }',
    "refresh_added",
    // what run_ufw says is not under test here
    `{\n${body}\n} >/dev/null`,
    'cat "$work/calls"; echo ---; printf \'%s\\n\' "$ADDED"',
  ].join("\n");
  const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const [calls = "", added = ""] = result.stdout.split("---\n");
  return { calls: calls.split("\n").filter(Boolean), added: added.split("\n").filter(Boolean) };
}

describe("the rule list a run keeps, updated as ufw updates its own (no re-read after our changes)", () => {
  const ours = (rule: string): string => `${rule} comment 'cm-infra:aapanel'`;
  const v6 = "allow from 2001:db8::/32 to any port 888 proto tcp";

  it("puts a new rule after the last IPv4 rule: ufw prints its IPv6-only rules after the rest", () => {
    const { calls, added } = withStandInUfw(["allow 80/tcp", v6], 'ufw_add "allow 443/tcp"; ufw_add "allow from 10.0.0.0/8 to any port 22 proto tcp"');
    expect(calls).toEqual(["show added", "allow 443/tcp comment cm-infra:aapanel", "allow from 10.0.0.0/8 to any port 22 proto tcp comment cm-infra:aapanel"]);
    expect(added).toEqual(["allow 80/tcp", ours("allow 443/tcp"), ours("allow from 10.0.0.0/8 to any port 22 proto tcp"), v6]);
  });

  it("appends to an empty list, and an IPv6-only rule after everything", () => {
    expect(withStandInUfw([], 'ufw_add "allow 443/tcp"').added).toEqual([ours("allow 443/tcp")]);
    expect(withStandInUfw(["allow 80/tcp", v6], 'ufw_add "allow from 2001:db8::1 to any port 22 proto tcp"').added).toEqual([
      "allow 80/tcp",
      v6,
      ours("allow from 2001:db8::1 to any port 22 proto tcp"),
    ]);
  });

  it("rewrites in place a rule of ours that differs only in its action, as ufw does", () => {
    const { added } = withStandInUfw(["allow 80/tcp", ours("deny 443/tcp"), "allow 888/tcp"], 'rule_owner "allow 443/tcp"; ufw_add "allow 443/tcp" "$OWNER_LINE"', "Rule updated");
    expect(added).toEqual(["allow 80/tcp", ours("allow 443/tcp"), "allow 888/tcp"]);
  });

  it("deletes a held rule without reading ufw again", () => {
    const { calls, added } = withStandInUfw(["allow 80/tcp", ours("allow 443/tcp"), v6], 'rule_owner "allow 443/tcp"; ufw_delete_held', "Rule deleted");
    expect(calls).toEqual(["show added", "delete allow 443/tcp comment cm-infra:aapanel"]);
    expect(added).toEqual(["allow 80/tcp", v6]);
  });

  it.each(["Skipping adding existing rule", "Could not delete non-existent rule"])("reads the list again after an unexpected answer: %s", (answer) => {
    const { calls, added } = withStandInUfw(["allow 80/tcp"], 'ufw_add "allow 443/tcp"; rule_owner "allow 443/tcp"', answer);
    expect(calls).toEqual(["show added", "allow 443/tcp comment cm-infra:aapanel", "show added"]);
    expect(added).toEqual(["allow 80/tcp"]);
  });
});
