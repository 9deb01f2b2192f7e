# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: the steps of one change. Each step is one rename into place, one rename of a
# live file over another in the same folder, or one removal, so each is atomic, and
# edgeStaging.sh has tested the state after every one of them before the first is taken.
# Expects $WORK_DIR, $TIER_STATE, $PREVIOUS_DIR, $NGINX_BINARY, $NGINX_CONF,
# $RELOAD_COMMAND, say(), die() with $OUTCOME, write_beside() and install_file().

STEP_KIND=()
STEP_PATH=()
STEP_SOURCE=()
STEP_TEMP=()
STEPS_DONE=0
RELOAD_MARKER="$TIER_STATE/reload-pending"

add_step() { # add_step install <live path> <new content> | move <live path> <live source> | remove <live path>
  STEP_KIND+=("$1")
  STEP_PATH+=("$2")
  STEP_SOURCE+=("${3:-}")
  STEP_TEMP+=("")
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
  for n in "${!STEP_PATH[@]}"; do
    if [[ -e ${STEP_PATH[n]} ]] && ! cp -p -- "${STEP_PATH[n]}" "$WORK_DIR/old.$n"; then
      die "cannot copy ${STEP_PATH[n]} to $WORK_DIR"
    fi
  done
}

# The new content goes next to its destination first, under a name nginx never loads,
# so a full or read-only folder fails here, while every live file is still untouched.
write_new_files() {
  local n
  for n in "${!STEP_KIND[@]}"; do
    if [[ ${STEP_KIND[n]} == install ]]; then
      write_beside "${STEP_SOURCE[n]}" "${STEP_PATH[n]}"
      STEP_TEMP[n]=$BESIDE_TEMP
    fi
  done
}

# A removal or a move cannot be staged beside its file; a read-only folder shows up here instead.
check_removals_possible() {
  local n folder output
  for n in "${!STEP_KIND[@]}"; do
    if [[ ${STEP_KIND[n]} == install ]]; then continue; fi
    folder=${STEP_PATH[n]%/*}
    if ! output=$(mktemp "$folder/.cm-infra-tmp.$TIER.XXXXXX" 2>&1); then
      die "cannot remove files from $folder: ${output##*: }"
    fi
    rm -f -- "$output"
  done
}

# Until the reload has run, nginx may not serve what the files say: the next run reloads
# even when it finds every file current.
mark_reload_pending() {
  if ! : 2>/dev/null >"$RELOAD_MARKER"; then die "cannot write $RELOAD_MARKER"; fi
}

take_steps() {
  local n output
  OUTCOME=""
  for n in "${!STEP_KIND[@]}"; do
    if [[ ${STEP_KIND[n]} == remove ]]; then
      if ! output=$(rm -f -- "${STEP_PATH[n]}" 2>&1); then rollback "cannot remove ${STEP_PATH[n]}: ${output##*: }" ""; fi
      say "removed ${STEP_PATH[n]}"
    elif [[ ${STEP_KIND[n]} == move ]]; then
      if ! output=$(mv -f -- "${STEP_SOURCE[n]}" "${STEP_PATH[n]}" 2>&1); then
        rollback "cannot move ${STEP_SOURCE[n]} to ${STEP_PATH[n]}: ${output##*: }" ""
      fi
      say "moved ${STEP_SOURCE[n]} to ${STEP_PATH[n]}"
    elif ! output=$(mv -f -- "${STEP_TEMP[n]}" "${STEP_PATH[n]}" 2>&1); then
      rollback "cannot move ${STEP_PATH[n]} into place: ${output##*: }" ""
    fi
    STEPS_DONE=$((n + 1))
  done
}

# Backwards, so the folder passes through the same tested states again.
undo_steps() {
  local n
  for (( n = STEPS_DONE - 1; n >= 0; n-- )); do
    # The moved file goes back under its old name first: installing the old content over
    # it directly would pass through a state nobody tested (a server without its zone).
    if [[ ${STEP_KIND[n]} == move ]]; then mv -f -- "${STEP_PATH[n]}" "${STEP_SOURCE[n]}"; fi
    if [[ -e $WORK_DIR/old.$n ]]; then
      install_file "$WORK_DIR/old.$n" "${STEP_PATH[n]}"
    else
      rm -f -- "${STEP_PATH[n]}"
    fi
  done
  if (( STEPS_DONE > 0 )); then OUTCOME="previous files restored"; else OUTCOME="no file was changed"; fi
  STEPS_DONE=0
}

rollback() { # rollback <reason> <tool output>
  OUTCOME="the previous files could not all be restored; the next run completes the change"
  undo_steps
  if [[ -n $2 ]]; then printf "%s\n" "$2" >&2; fi
  die "$1"
}

# The staged test passed; this one catches whatever changed the folder in the meantime.
test_live_and_reload() {
  local output master old_workers
  if ! output=$("$NGINX_BINARY" -t -c "$NGINX_CONF" 2>&1 9>&-); then
    rollback "nginx -t rejected the configuration" "$output"
  fi
  printf "%s\n" "$output"
  master=$(nginx_master)
  old_workers=$(serving_workers "$master")
  if ! output=$(/bin/sh -c "$RELOAD_COMMAND" 2>&1 9>&-); then
    rollback "reload failed: $RELOAD_COMMAND" "$output"
  fi
  wait_for_reload "$master" "$old_workers"
  rm -f -- "$RELOAD_MARKER"
}

# The master of the nginx that reads $NGINX_CONF, from its pid file; empty when unknown.
# Other nginx instances may run on the host (containers' show up in its process list).
nginx_master() {
  local pid_file="" pid=""
  pid_file=$(awk '$1 == "pid" { gsub(/[;"]/, "", $2); print $2; exit }' "$NGINX_CONF" 2>/dev/null) || true
  if [[ $pid_file != /* ]]; then
    pid_file=$("$NGINX_BINARY" -V 2>&1 | grep -o -- "--pid-path=[^ ]*" | cut -d= -f2) || true
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
# so wait, bounded, until none of them is serving. They usually stop within a few tens of
# milliseconds, and this wait is the last step of an apply, so it looks often.
wait_for_reload() { # wait_for_reload <master pid> <worker pids before the reload>
  local attempt pid still
  for attempt in $(seq 1 500); do
    still=no
    for pid in $2; do
      if [[ " $(serving_workers "$1") " == *" $pid "* ]]; then still=yes; fi
    done
    [[ $still == no ]] && return 0
    sleep 0.02
  done
  warn "old nginx workers still accepting 10 s after the reload (attempts: $attempt)"
}

# After a successful change; the change stands even when this fails (e.g. a full disk).
keep_previous_versions() {
  local n kept
  for n in "${!STEP_PATH[@]}"; do
    if [[ -e $WORK_DIR/old.$n ]]; then
      kept="$PREVIOUS_DIR${STEP_PATH[n]}"
      if ! { mkdir -p -- "${kept%/*}" && mv -f -- "$WORK_DIR/old.$n" "$kept"; }; then
        warn "could not keep the previous version of ${STEP_PATH[n]} in $PREVIOUS_DIR"
      fi
    fi
  done
}
