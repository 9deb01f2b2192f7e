import { judgeAaPanelFirewall } from "./aapanelFirewall";
import { alignColumns } from "./table";
import type { DriftRow, Expectation, HostExpectations } from "./types";

/**
 * The parts of an iptables rule that decide what it does, in a fixed order: `iptables -S`
 * may print options in another order or spelling than the rule was written in.
 */
export function ruleKey(rule: string): string {
  const words = rule.trim().split(/\s+/);
  const value = (flag: string): string => {
    const index = words.indexOf(flag);
    return index >= 0 ? (words[index + 1] ?? "") : "-";
  };
  const source = value("-s");
  return [
    source === "-" ? "any" : source.includes("/") ? source : `${source}/32`,
    value("-p"),
    value("--ctstate"),
    value("--ctdir"),
    value("--ctorigdstport"),
    value("-j"),
  ].join(" ");
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "missing");
}

function judge(expectation: Expectation, found: string | undefined): { expected: string; found: string; ok: boolean } {
  if (found === undefined) return { expected: "reported", found: "no answer", ok: false };
  switch (expectation.kind) {
    case "file":
      return { expected: `sha256 ${expectation.sha256.slice(0, 12)}`, found: found === "missing" ? "missing" : `sha256 ${found.slice(0, 12)}`, ok: found === expectation.sha256 };
    case "absent":
      return { expected: "absent", found, ok: found === "absent" };
    case "htpasswd": {
      const wanted = `user ${expectation.user} bcrypt lines 1`;
      return { expected: wanted, found, ok: found === wanted };
    }
    case "chain": {
      const want = expectation.rules.map(ruleKey);
      const have = found === "missing" ? [] : lines(found).map(ruleKey);
      const ok = found !== "missing" && want.length === have.length && want.every((key, index) => key === have[index]);
      return { expected: `${want.length} rules`, found: found === "missing" ? "missing" : ok ? `${have.length} rules` : `${have.length} rules, differing`, ok };
    }
    case "jump":
      return { expected: "1", found, ok: found === "1" };
    case "ufw": {
      const want = new Set(expectation.rules.map((rule) => `${rule} comment '${expectation.comment}'`));
      const have = new Set(lines(found));
      const missing = [...want].filter((rule) => !have.has(rule));
      const extra = [...have].filter((rule) => !want.has(rule));
      const ok = missing.length === 0 && extra.length === 0;
      const detail = [missing.length > 0 ? `missing: ${missing.join("; ")}` : "", extra.length > 0 ? `extra: ${extra.join("; ")}` : ""].filter(Boolean).join(" ");
      return { expected: `${want.size} rules`, found: ok ? `${have.size} rules` : detail, ok };
    }
    case "container":
      return { expected: "running", found, ok: found === "running" };
    case "ufwActive":
    case "aapanelUfwRules":
    case "aapanelUfwExposure":
      return judgeAaPanelFirewall(expectation, found);
  }
}

export function compareHost(host: HostExpectations, found: ReadonlyMap<number, string>): DriftRow[] {
  return host.expectations.map((expectation, index) => {
    const verdict = judge(expectation, found.get(index));
    return {
      host: `${host.role} ${host.host.address}`,
      artifact: expectation.artifact,
      expected: verdict.expected,
      found: verdict.found,
      status: verdict.ok ? "ok" : "drift",
    };
  });
}

export function renderTable(rows: readonly DriftRow[]): string {
  const cells = (row: DriftRow) => [row.host, row.artifact, row.expected, row.found, row.status.toUpperCase()];
  return alignColumns([["HOST", "ARTIFACT", "EXPECTED", "FOUND", "STATUS"], ...rows.map(cells)]);
}
