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

/** Expects $lock_file. One lock per host: every stack that edits this nginx queues on it. */
export const TAKE_LOCK = String.raw`
take_lock() {
  mkdir -p -- "$(dirname -- "$lock_file")"
  exec 9>>"$lock_file"
  if ! flock -w 300 9; then
    fail "gave up after 300s waiting for the lock $lock_file"
  fi
}`;

/**
 * Expects $pending_tmp (removed by the EXIT trap if set). The temp file sits in the target
 * folder, so mv is an atomic rename, and its name does not end in .conf, so a concurrent
 * nginx reload never parses a half-written file. cp -p carries mode and owner over, which
 * makes restores byte- and mode-exact.
 */
export const INSTALL_FILE = String.raw`
install_file() { # install_file <source> <destination>
  pending_tmp=$(mktemp "$(dirname -- "$2")/.cm-infra-tmp.XXXXXX")
  cp -p -- "$1" "$pending_tmp"
  mv -f -- "$pending_tmp" "$2"
  pending_tmp=""
}`;
