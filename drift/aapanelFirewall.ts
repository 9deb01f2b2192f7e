import type { PlainConfig } from "../config/validate";
import { AAPANEL_RULES } from "../render/aapanelFirewall/scriptParts";
import { AAPANEL_FIREWALL_HOST_PATHS, aapanelRecordPath } from "../render/aapanelFirewall/hostPaths";
import { AAPANEL_UFW_COMMENT, renderAaPanelUfwRules } from "../render/aapanelFirewall/rules";
import { renderAaPanelScript } from "../render/aapanelFirewall/scripts";
import { aapanelFirewallSpecOf } from "../render/aapanelFirewall/spec";
import type { AaPanelFirewallSpec } from "../render/aapanelFirewall/types";
import { shellQuote } from "../render/remoteScripts";

/** What the aaPanel host's firewall should look like for one tier. */
export type AaPanelFirewallExpectation =
  /**
   * This tier's rules are in ufw (with our comment, or held by the panel or the operator
   * as the same rule), its record names exactly them, and no rule with our comment is one
   * that no record on the host wants (added by hand, or left behind).
   */
  | { readonly kind: "aapanelUfwRules"; readonly artifact: string; readonly rules: readonly string[]; readonly recordPath: string }
  /** No rule that is not ours lets SSH or the panel in from beyond the admin sources. */
  | { readonly kind: "aapanelUfwExposure"; readonly artifact: string; readonly spec: AaPanelFirewallSpec }
  /** ufw is active and drops what no rule lets in. */
  | { readonly kind: "ufwActive"; readonly artifact: string };

export function aapanelFirewallExpectations(config: PlainConfig): AaPanelFirewallExpectation[] {
  const spec = aapanelFirewallSpecOf(config);
  return spec === undefined ? [] : aapanelFirewallExpectationsOf(spec);
}

export function aapanelFirewallExpectationsOf(spec: AaPanelFirewallSpec): AaPanelFirewallExpectation[] {
  return [
    { kind: "ufwActive", artifact: "ufw status" },
    {
      kind: "aapanelUfwRules",
      artifact: `ufw rules '${AAPANEL_UFW_COMMENT}' of ${spec.tier}`,
      rules: renderAaPanelUfwRules(spec).map(({ rule }) => rule),
      recordPath: aapanelRecordPath(spec.tier),
    },
    { kind: "aapanelUfwExposure", artifact: `ports ${spec.sshPort} (SSH) and ${spec.panelPort} (panel) beyond the admin sources`, spec },
  ];
}

/** The read-only command that reports what is there; its output goes to judgeAaPanelFirewall. */
export function probeAaPanelFirewall(expectation: AaPanelFirewallExpectation): string {
  switch (expectation.kind) {
    case "ufwActive":
      return `LC_ALL=C ufw status verbose 2>/dev/null | sed -n 's/^Status: //p; s/^Default: \\([a-z]*\\) (incoming).*/\\1/p' | tr '\\n' ' '`;
    case "aapanelUfwRules": {
      const record = shellQuote(expectation.recordPath);
      const others = `${shellQuote(AAPANEL_FIREWALL_HOST_PATHS.stateDir)}/*.ufw`;
      return [
        `LC_ALL=C ufw show added 2>/dev/null | sed -n 's/^ufw /A /p'`,
        `if [ -f ${record} ]; then sed 's/^/M /' ${record}; fi`,
        `for f in ${others}; do if [ -f "$f" ] && [ "$f" != ${record} ]; then sed 's/^/O /' "$f"; fi; done`,
      ].join("; ");
    }
    case "aapanelUfwExposure": {
      // The scripts' own reading of rules, so drift and apply judge a rule alike.
      const script = renderAaPanelScript(expectation.spec, {}, [
        AAPANEL_RULES,
        // a ufw that does not answer must not read as "nothing exposed"
        `ADDED=$(ufw show added 2>&1) || { echo "ufw show added failed"; exit 0; }`,
        `ADDED=$(printf '%s\\n' "$ADDED" | sed -n 's/^ufw //p')`,
        "exposing_rules",
      ]);
      return `bash -c ${shellQuote(script)} 2>/dev/null`;
    }
  }
}

export interface Verdict {
  readonly expected: string;
  readonly found: string;
  readonly ok: boolean;
}

const withoutComment = (line: string): string => line.replace(/ comment '.*$/, "");
/** Record lines are "<kind> <rule>". */
const recordedRule = (line: string): string => line.slice(line.indexOf(" ") + 1);

function judgeRules(rules: readonly string[], found: string): Verdict {
  const lines = found.split("\n").filter((line) => /^[AMO] /.test(line));
  const of = (tag: string) => lines.filter((line) => line.startsWith(`${tag} `)).map((line) => line.slice(2).trim());
  const added = of("A");
  const mine = of("M").map(recordedRule);
  const wantedAnywhere = new Set([...mine, ...of("O").map(recordedRule)]);
  const present = new Set(added.map(withoutComment));
  const ours = added.filter((line) => line.endsWith(` comment '${AAPANEL_UFW_COMMENT}'`)).map(withoutComment);
  const missing = rules.filter((rule) => !present.has(rule));
  const heldByOthers = rules.filter((rule) => present.has(rule) && !ours.includes(rule));
  const unowned = ours.filter((rule) => !wantedAnywhere.has(rule));
  const recordOff = mine.length !== rules.length || !rules.every((rule) => mine.includes(rule));
  const problems = [
    missing.length > 0 ? `missing: ${missing.join("; ")}` : "",
    unowned.length > 0 ? `tagged but wanted by no record: ${unowned.join("; ")}` : "",
    recordOff ? `record names: ${mine.length > 0 ? mine.join("; ") : "nothing"}` : "",
  ].filter(Boolean);
  const held = heldByOthers.length > 0 ? ` (${heldByOthers.length} held by others: ${heldByOthers.join("; ")})` : "";
  return { expected: `${rules.length} rules`, found: problems.length > 0 ? problems.join(" | ") : `${rules.length} rules${held}`, ok: problems.length === 0 };
}

export function judgeAaPanelFirewall(expectation: AaPanelFirewallExpectation, found: string): Verdict {
  switch (expectation.kind) {
    case "ufwActive": {
      const [status = "", policy = ""] = found.trim().split(/\s+/);
      const shown = status === "" ? "no answer from ufw" : `${status}${policy === "" ? "" : `, ${policy} incoming`}`;
      return { expected: "active, deny incoming", found: shown, ok: status === "active" && (policy === "deny" || policy === "reject") };
    }
    case "aapanelUfwRules":
      return judgeRules(expectation.rules, found);
    case "aapanelUfwExposure": {
      const exposing = found
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => line.replace("\t", ": "));
      return { expected: "none", found: exposing.length > 0 ? exposing.join("; ") : "none", ok: exposing.length === 0 };
    }
  }
}
