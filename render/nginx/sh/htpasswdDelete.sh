# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, delete: remove exactly our file, and its folder when nothing else is in it.

main_delete() {
  local result=absent output
  take_lock
  clear_leftovers
  if [[ -e $htpasswd_file ]]; then
    if ! output=$(rm -f -- "$htpasswd_file" 2>&1); then fail "cannot remove $htpasswd_file: ${output##*: }"; fi
    result=removed
  fi
  outcome=""
  if [[ -d $htpasswd_dir ]] && ! rmdir -- "$htpasswd_dir" 2>/dev/null; then
    say "kept $htpasswd_dir: it holds files cm-infra did not write"
  fi
  summary "$result"
}

main_delete
