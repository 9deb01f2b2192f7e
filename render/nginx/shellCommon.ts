import { shellQuote } from "../remoteScripts";

const PLAIN_WORD = /^[A-Za-z0-9._/:=@+, -]*$/;

/**
 * A bash string literal. Plain values use double quotes because the whole script later
 * sits inside one single-quoted word (asRemoteCommand), where every `'` turns into `'\''`
 * and clutters the preview diff.
 */
export function bashLiteral(value: string): string {
  return PLAIN_WORD.test(value) ? `"${value}"` : shellQuote(value);
}

export function bashAssignments(values: Readonly<Record<string, string | readonly string[]>>): string[] {
  return Object.entries(values).map(([name, value]) =>
    typeof value === "string" ? `${name}=${bashLiteral(value)}` : `${name}=(${value.map(bashLiteral).join(" ")})`,
  );
}

export const STRICT_MODE = ["set -euo pipefail", "umask 022"];
