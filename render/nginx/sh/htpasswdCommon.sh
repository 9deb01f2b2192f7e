# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, shared by apply and delete. Values arrive as variables set by
# htpasswdScripts.ts.
# The hash line only ever travels through stdin, a shell variable and printf (a builtin),
# so it never shows up in a process list or in the script's output.
#
# The file changes with one rename, so a run killed at any point leaves the old line or
# the new one. A killed run may leave its temp file (a dot file beside the live one, mode
# 0640 or stricter); the next run removes it under the lock.

# Says on every failure whether anything was changed.
outcome="nothing was changed"
say() { printf "cm-infra htpasswd %s: %s\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=no"; }
fail() {
  printf "cm-infra htpasswd %s: error: %s\n" "$tier" "$*${outcome:+; $outcome}" >&2
  summary failed
  exit 1
}

pending_tmp=""
remove_pending_tmp() {
  if [[ -n $pending_tmp ]]; then rm -f -- "$pending_tmp"; fi
}
trap remove_pending_tmp EXIT

# Every run that writes temp files there holds the lock, so none of them is in use now.
clear_leftovers() {
  if [[ -d $htpasswd_dir ]]; then rm -f -- "$htpasswd_dir"/.cm-infra-tmp.* 2>/dev/null || true; fi
}
