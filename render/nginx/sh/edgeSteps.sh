# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: the steps of one change. Each step is one rename into place, one rename of a
# live file over another in the same folder, or one removal, so each is atomic, and
# edgeStaging.sh has tested the state after every one of them before the first is taken.
# Expects $work_dir, $tier_state, $previous_dir, $nginx_binary, $nginx_conf,
# $reload_command, say(), fail() with $outcome, write_beside() and install_file().

step_kind=()
step_path=()
step_source=()
step_temp=()
steps_done=0
reload_marker="$tier_state/reload-pending"

add_step() { # add_step install <live path> <new content> | move <live path> <live source> | remove <live path>
  step_kind+=("$1")
  step_path+=("$2")
  step_source+=("${3:-}")
  step_temp+=("")
}

# Removes the existing ones among these files, those that hold a server before the zone
# files of earlier versions (0.cm-infra-<tier>.conf): no state in between has a server
# whose zone is gone.
add_removals() { # add_removals <live path>...
  local path
  for path in "$@"; do
    if [[ ${path##*/} != 0.* && -e $path ]]; then add_step remove "$path"; fi
  done
  for path in "$@"; do
    if [[ ${path##*/} == 0.* && -e $path ]]; then add_step remove "$path"; fi
  done
}

# Copies what is on disk now, to keep as the previous version and to undo a failed reload.
snapshot_steps() {
  local n
  for n in "${!step_path[@]}"; do
    if [[ -e ${step_path[n]} ]] && ! cp -p -- "${step_path[n]}" "$work_dir/old.$n"; then
      fail "cannot copy ${step_path[n]} to $work_dir"
    fi
  done
}

# The new content goes next to its destination first, under a name nginx never loads,
# so a full or read-only folder fails here, while every live file is still untouched.
write_new_files() {
  local n
  for n in "${!step_kind[@]}"; do
    if [[ ${step_kind[n]} == install ]]; then
      write_beside "${step_source[n]}" "${step_path[n]}"
      step_temp[n]=$beside_temp
    fi
  done
}

# A removal or a move cannot be staged beside its file; a read-only folder shows up here instead.
check_removals_possible() {
  local n folder output
  for n in "${!step_kind[@]}"; do
    if [[ ${step_kind[n]} == install ]]; then continue; fi
    folder=${step_path[n]%/*}
    if ! output=$(mktemp "$folder/.cm-infra-tmp.$tier.XXXXXX" 2>&1); then
      fail "cannot remove files from $folder: ${output##*: }"
    fi
    rm -f -- "$output"
  done
}

# Until the reload has run, nginx may not serve what the files say: the next run reloads
# even when it finds every file current.
mark_reload_pending() {
  if ! : 2>/dev/null >"$reload_marker"; then fail "cannot write $reload_marker"; fi
}

take_steps() {
  local n output
  outcome=""
  for n in "${!step_kind[@]}"; do
    if [[ ${step_kind[n]} == remove ]]; then
      if ! output=$(rm -f -- "${step_path[n]}" 2>&1); then rollback "cannot remove ${step_path[n]}: ${output##*: }" ""; fi
      say "removed ${step_path[n]}"
    elif [[ ${step_kind[n]} == move ]]; then
      if ! output=$(mv -f -- "${step_source[n]}" "${step_path[n]}" 2>&1); then
        rollback "cannot move ${step_source[n]} to ${step_path[n]}: ${output##*: }" ""
      fi
      say "moved ${step_source[n]} to ${step_path[n]}"
    elif ! output=$(mv -f -- "${step_temp[n]}" "${step_path[n]}" 2>&1); then
      rollback "cannot move ${step_path[n]} into place: ${output##*: }" ""
    fi
    steps_done=$((n + 1))
  done
}

# Backwards, so the folder passes through the same tested states again.
undo_steps() {
  local n
  for (( n = steps_done - 1; n >= 0; n-- )); do
    # The moved file goes back under its old name first: installing the old content over
    # it directly would pass through a state nobody tested (a server without its zone).
    if [[ ${step_kind[n]} == move ]]; then mv -f -- "${step_path[n]}" "${step_source[n]}"; fi
    if [[ -e $work_dir/old.$n ]]; then
      install_file "$work_dir/old.$n" "${step_path[n]}"
    else
      rm -f -- "${step_path[n]}"
    fi
  done
  if (( steps_done > 0 )); then outcome="previous files restored"; else outcome="no file was changed"; fi
  steps_done=0
}

rollback() { # rollback <reason> <tool output>
  outcome="the previous files could not all be restored; the next run completes the change"
  undo_steps
  if [[ -n $2 ]]; then printf "%s\n" "$2" >&2; fi
  fail "$1"
}

# The staged test passed; this one catches whatever changed the folder in the meantime.
test_live_and_reload() {
  local output master old_workers
  if ! output=$("$nginx_binary" -t -c "$nginx_conf" 2>&1 9>&-); then
    rollback "nginx -t rejected the configuration" "$output"
  fi
  printf "%s\n" "$output"
  master=$(nginx_master)
  old_workers=$(serving_workers "$master")
  if ! output=$(/bin/sh -c "$reload_command" 2>&1 9>&-); then
    rollback "reload failed: $reload_command" "$output"
  fi
  wait_for_reload "$master" "$old_workers"
  rm -f -- "$reload_marker"
}

# The master of the nginx that reads $nginx_conf, from its pid file; empty when unknown.
# Other nginx instances may run on the host (containers' show up in its process list).
nginx_master() {
  local pid_file="" pid=""
  pid_file=$(awk '$1 == "pid" { gsub(/[;"]/, "", $2); print $2; exit }' "$nginx_conf" 2>/dev/null) || true
  if [[ $pid_file != /* ]]; then
    pid_file=$("$nginx_binary" -V 2>&1 | grep -o -- "--pid-path=[^ ]*" | cut -d= -f2) || true
  fi
  if [[ $pid_file == /* && -r $pid_file ]]; then pid=$(<"$pid_file"); fi
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then printf "%s" "$pid"; fi
}

# Workers that accept connections; after a reload the old ones retitle themselves
# "... is shutting down" and stop accepting.
serving_workers() { # serving_workers <master pid or nothing>
  if [[ -n $1 ]]; then
    pgrep -P "$1" -f '^nginx: worker process$' | sort | tr '\n' ' ' || true
  else
    pgrep -f '^nginx: worker process$' | sort | tr '\n' ' ' || true
  fi
}

# A reload only signals nginx. Until the old workers stop accepting, a request can still
# be served with the old configuration (e.g. proxied to an upstream port that is gone),
# so wait, bounded, until none of them is serving.
wait_for_reload() { # wait_for_reload <master pid> <worker pids before the reload>
  local attempt pid still
  for attempt in $(seq 1 100); do
    still=no
    for pid in $2; do
      if [[ " $(serving_workers "$1") " == *" $pid "* ]]; then still=yes; fi
    done
    [[ $still == no ]] && return 0
    sleep 0.1
  done
  say "warning: old nginx workers still accepting 10 s after the reload (attempts: $attempt)"
}

# After a successful change; the change stands even when this fails (e.g. a full disk).
keep_previous_versions() {
  local n kept
  for n in "${!step_path[@]}"; do
    if [[ -e $work_dir/old.$n ]]; then
      kept="$previous_dir${step_path[n]}"
      if ! { mkdir -p -- "${kept%/*}" && mv -f -- "$work_dir/old.$n" "$kept"; }; then
        say "warning: could not keep the previous version of ${step_path[n]} in $previous_dir"
      fi
    fi
  done
}
