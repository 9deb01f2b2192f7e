# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, shared by apply and delete. Logging, die, the lock and the summary line are
# the prelude's (render/shell/prelude.sh); values arrive as the readonly variables
# htpasswdScripts.ts renders.
# The hash line only ever travels through stdin, a shell variable and printf (a builtin),
# so it never shows up in a process list or in the script's output.
#
# The file changes with one rename, so a run killed at any point leaves the old line or
# the new one. A killed run may leave its temp file (a dot file beside the live one, mode
# 0640 or stricter); the next run removes it under the lock.

PENDING_TMP=""
remove_pending_tmp() {
  if [[ -n $PENDING_TMP ]]; then rm -f -- "$PENDING_TMP"; fi
}
trap remove_pending_tmp EXIT

# One run at a time (lock_host), then what a killed run left: every run that writes temp
# files there holds the lock, so none of them is in use now.
take_lock() {
  lock_host
  if [[ -d $HTPASSWD_DIR ]]; then rm -f -- "$HTPASSWD_DIR"/.cm-infra-tmp.* 2>/dev/null || true; fi
}
