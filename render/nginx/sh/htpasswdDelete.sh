# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, delete: remove exactly our file, and its folder when nothing else is in it.

main_delete() {
  local result=absent output
  take_lock
  if [[ -e $HTPASSWD_FILE ]]; then
    if ! output=$(rm -f -- "$HTPASSWD_FILE" 2>&1); then die "cannot remove $HTPASSWD_FILE: ${output##*: }"; fi
    result=removed
  fi
  OUTCOME=""
  if [[ -d $HTPASSWD_DIR ]] && ! rmdir -- "$HTPASSWD_DIR" 2>/dev/null; then
    say "kept $HTPASSWD_DIR: it holds files cm-infra did not write"
  fi
  summarize "result=$result reloaded=no"
}

main_delete
