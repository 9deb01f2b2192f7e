# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# The start of every remote script cm-infra renders (edge site, htpasswd, both hosts'
# firewalls): strict mode, logging, the lock and the summary line. render/bashScript.ts
# sets, just before it, the values it reads: LABEL (who speaks, e.g. "cm-infra edge rex"),
# LOCK_FILE, LOCK_WAIT (seconds) and FAILED_SUMMARY (the summary a failed run prints;
# empty for none).
# One naming scheme in every part: upper case for what the whole script shares (the
# values rendered in, all readonly, and state that functions hand each other), lower case
# for a function's locals.
set -euo pipefail

# Every error says whether anything was changed: the first change clears it, a rollback
# says what it put back.
OUTCOME="nothing was changed"
say() { printf '%s: %s\n' "$LABEL" "$*"; }
# stderr, like errors: it is what the deploy log shows (stdout is kept as the summary).
warn() { printf '%s: warning: %s\n' "$LABEL" "$*" >&2; }
# The line tools read (the stack outputs edgeResult and firewallResult, the patterns in
# render/*/hostPaths.ts): one per run.
summarize() { say "$*"; }
die() {
  printf '%s: error: %s\n' "$LABEL" "$*${OUTCOME:+; $OUTCOME}" >&2
  if [[ -n $FAILED_SUMMARY ]]; then summarize "$FAILED_SUMMARY"; fi
  exit 1
}

# One run at a time per lock file: every stack that edits this nginx, or this host's ufw,
# queues on it. It is a flock on fd 9, so the kernel drops it when the holder dies
# (SIGKILL, a lost session): a killed run never leaves a lock behind. The file itself
# stays, empty; it means nothing. Commands that may outlive the script (a reload command
# can start a daemon) run with fd 9 closed, so they cannot hold the lock either.
lock_host() {
  local folder=${LOCK_FILE%/*}
  if [[ ! -d $folder ]] && ! mkdir -p -- "$folder"; then die "cannot create $folder for the lock"; fi
  if ! exec 9>>"$LOCK_FILE"; then die "cannot open the lock $LOCK_FILE"; fi
  if ! flock -w "$LOCK_WAIT" 9; then
    die "gave up after ${LOCK_WAIT}s waiting for the lock $LOCK_FILE (another cm-infra run holds it)"
  fi
}
