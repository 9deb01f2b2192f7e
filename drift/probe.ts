import { shellQuote } from "../render/remoteScripts";
import { probeAaPanelFirewall } from "./aapanelFirewall";
import type { Expectation } from "./types";

/**
 * One read-only bash script per host that reports what is there for every expectation,
 * one line each: `<index>\t<base64 of what was found>`. It never prints file content or
 * hashes of secrets (the htpasswd check reports only the user and the hash's shape).
 */
export function renderProbeScript(expectations: readonly Expectation[]): string {
  const lines = ["set -uo pipefail", "report() { printf '%s\\t%s\\n' \"$1\" \"$(printf '%s' \"$2\" | base64 -w0)\"; }"];
  expectations.forEach((expectation, index) => {
    lines.push(`report ${index} "$(${probeFor(expectation)})"`);
  });
  return `${lines.join("\n")}\n`;
}

function probeFor(expectation: Expectation): string {
  switch (expectation.kind) {
    case "file": {
      const path = shellQuote(expectation.path);
      return `if [ -f ${path} ]; then sha256sum < ${path} | cut -d' ' -f1; else echo missing; fi`;
    }
    case "absent":
      return `if [ -e ${shellQuote(expectation.path)} ]; then echo present; else echo absent; fi`;
    case "htpasswd": {
      const path = shellQuote(expectation.path);
      const awk = shellQuote('NR == 1 { shape = ($2 ~ /^\\$2[aby]\\$[0-9][0-9]\\$/) ? "bcrypt" : "not-bcrypt"; print "user " $1 " " shape " lines " n } END { if (NR == 0) print "empty" }');
      return `if [ -f ${path} ]; then awk -F: -v n="$(wc -l < ${path})" ${awk} ${path}; else echo missing; fi`;
    }
    case "chain":
      return `iptables -S ${shellQuote(expectation.chain)} 2>/dev/null | grep '^-A' || iptables -S ${shellQuote(expectation.chain)} >/dev/null 2>&1 || echo missing`;
    case "jump":
      return `iptables -S DOCKER-USER 2>/dev/null | grep -cx -- ${shellQuote(`-A DOCKER-USER -j ${expectation.chain}`)}`;
    case "ufw":
      return `ufw show added 2>/dev/null | grep -F -- ${shellQuote(`comment '${expectation.comment}'`)} | sed 's/^ufw //'`;
    case "container":
      return `docker inspect -f '{{.State.Status}}' ${shellQuote(expectation.name)} 2>/dev/null || echo missing`;
    case "ufwActive":
    case "aapanelUfwRules":
    case "aapanelUfwExposure":
      return probeAaPanelFirewall(expectation);
  }
}

/** Parses the probe's output into what was found per expectation index. */
export function parseProbeOutput(output: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const line of output.split("\n")) {
    const match = /^(\d+)\t([A-Za-z0-9+/=]*)$/.exec(line);
    if (match?.[1] === undefined) continue;
    found.set(Number(match[1]), Buffer.from(match[2] ?? "", "base64").toString("utf8").trim());
  }
  return found;
}
