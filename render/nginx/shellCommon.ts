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

/**
 * Expects $lock_file and fail() (whose message says whether anything was changed). One
 * lock per host: every stack that edits this nginx queues on it. It is a flock on fd 9, so
 * the kernel drops it when the holder dies (SIGKILL, lost session): a killed run never
 * leaves a lock behind. The file itself stays, empty; it means nothing. Commands that may
 * outlive the script (the reload command can start a daemon) run with fd 9 closed, so
 * they cannot hold the lock either.
 */
export const TAKE_LOCK = `
take_lock() {
  local folder=\${lock_file%/*}
  if [[ ! -d $folder ]] && ! mkdir -p -- "$folder"; then fail "cannot create $folder for the lock"; fi
  if ! exec 9>>"$lock_file"; then fail "cannot open the lock $lock_file"; fi
  if ! flock -w 300 9; then
    fail "gave up after 300s waiting for the lock $lock_file"
  fi
}`;

/**
 * Expects $tier and the array beside_temps (removed by the EXIT trap). The temp file sits
 * in the target folder, so mv is an atomic rename, and its name (a dot file, not *.conf)
 * is one nginx never loads, not even after a kill leaves it behind: the next run removes
 * it. cp -p carries mode and owner over, which makes restores byte- and mode-exact.
 * Sets $beside_temp; fails with the system's reason (disk full, read-only) while the
 * destination is still untouched.
 */
export const WRITE_BESIDE = `
write_beside() { # write_beside <source> <destination>
  local folder=\${2%/*} output
  if ! output=$(mktemp "$folder/.cm-infra-tmp.$tier.XXXXXX" 2>&1); then
    fail "cannot create a file in $folder: \${output##*: }"
  fi
  beside_temp=$output
  beside_temps+=("$beside_temp")
  if ! output=$(cp -p -- "$1" "$beside_temp" 2>&1); then
    fail "cannot write in $folder: \${output##*: }"
  fi
}

install_file() { # install_file <source> <destination>
  write_beside "$1" "$2"
  mv -f -- "$beside_temp" "$2"
}`;
