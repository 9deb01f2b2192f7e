# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Expects $lock_file and fail() (whose message says whether anything was changed). One
# lock per host: every stack that edits this nginx queues on it. It is a flock on fd 9, so
# the kernel drops it when the holder dies (SIGKILL, lost session): a killed run never
# leaves a lock behind. The file itself stays, empty; it means nothing. Commands that may
# outlive the script (the reload command can start a daemon) run with fd 9 closed, so
# they cannot hold the lock either.

take_lock() {
  local folder=${lock_file%/*}
  if [[ ! -d $folder ]] && ! mkdir -p -- "$folder"; then fail "cannot create $folder for the lock"; fi
  if ! exec 9>>"$lock_file"; then fail "cannot open the lock $lock_file"; fi
  if ! flock -w 300 9; then
    fail "gave up after 300s waiting for the lock $lock_file"
  fi
}