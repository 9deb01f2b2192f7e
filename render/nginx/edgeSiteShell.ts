/**
 * Bash bodies of the edge-site scripts. Values arrive as variables set by
 * edgeSiteScripts.ts; nothing here is interpolated by TypeScript (hence `\${`).
 * Target: bash >= 4.2 (CentOS 7 hosts), so possibly-empty arrays use the
 * `${a[@]+"${a[@]}"}` form that `set -u` accepts there.
 */

/** Logging, exit trap, snapshot/restore and the test-then-reload step shared by apply and delete. */
export const EDGE_COMMON = `
say() { printf "cm-infra edge %s: %s\\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=$2"; }
fail() {
  printf "cm-infra edge %s: error: %s\\n" "$tier" "$*" >&2
  summary failed no
  exit 1
}

work_dir=""
pending_tmp=""
restore_on_exit=0
touched=()

on_exit() {
  local status=$?
  if [[ -n $pending_tmp ]]; then rm -f -- "$pending_tmp"; fi
  if (( restore_on_exit )); then
    restore_on_exit=0
    restore_touched
    printf "cm-infra edge %s: error: interrupted; previous files restored\\n" "$tier" >&2
  fi
  if [[ -n $work_dir ]]; then rm -rf -- "$work_dir"; fi
  exit "$status"
}
trap on_exit EXIT

start_work() {
  take_lock
  mkdir -p -- "$tier_state"
  chmod 0750 -- "$tier_state"
  work_dir=$(mktemp -d "$tier_state/work.XXXXXX")
}

# Copies what is on disk now, so a failed test or reload can put it back byte for byte.
snapshot_touched() {
  local i
  for i in "\${!touched[@]}"; do
    if [[ -e \${touched[i]} ]]; then cp -p -- "\${touched[i]}" "$work_dir/old.$i"; fi
  done
}

restore_touched() {
  local i
  for i in "\${!touched[@]}"; do
    if [[ -e $work_dir/old.$i ]]; then
      install_file "$work_dir/old.$i" "\${touched[i]}"
    else
      rm -f -- "\${touched[i]}"
    fi
  done
}

rollback() { # rollback <reason> <tool output>
  restore_on_exit=0
  restore_touched
  printf "%s\\n" "$2" >&2
  fail "$1; previous files restored"
}

# A wrong layout.vhostDir would pass nginx -t while serving nothing; -T lists what loads.
verify_loaded() {
  local path
  "$nginx_binary" -T -c "$nginx_conf" >"$work_dir/dump" 2>&1 || true
  for path in "\${wanted_paths[@]}"; do
    if ! grep -qxF "# configuration file $path:" "$work_dir/dump"; then
      rollback "nginx does not load $path; does $nginx_conf include layout.vhostDir?" ""
    fi
  done
}

test_and_reload() { # test_and_reload <verify wanted paths are loaded: yes|no>
  local output
  if ! output=$("$nginx_binary" -t -c "$nginx_conf" 2>&1); then
    rollback "nginx -t rejected the configuration" "$output"
  fi
  printf "%s\\n" "$output"
  if [[ $1 == yes ]]; then verify_loaded; fi
  local old_workers
  old_workers=$(serving_workers)
  if ! output=$(/bin/sh -c "$reload_command" 2>&1); then
    rollback "reload failed: $reload_command" "$output"
  fi
  wait_for_reload "$old_workers"
}

# Workers that accept connections; after a reload the old ones retitle themselves
# "... is shutting down" and stop accepting.
serving_workers() { pgrep -f '^nginx: worker process$' | sort | tr '\n' ' ' || true; }

# A reload only signals nginx. Until the old workers stop accepting, a request can still
# be served with the old configuration (e.g. proxied to an upstream port that is gone),
# so wait, bounded, until none of them is serving.
wait_for_reload() { # wait_for_reload <worker pids before the reload>
  local attempt pid still
  for attempt in $(seq 1 100); do
    still=no
    for pid in $1; do
      if [[ " $(serving_workers) " == *" $pid "* ]]; then still=yes; fi
    done
    [[ $still == no ]] && return 0
    sleep 0.1
  done
  say "warning: old nginx workers still accepting 10 s after the reload (attempts: $attempt)"
}

keep_previous_versions() {
  local i kept
  for i in "\${!touched[@]}"; do
    if [[ -e $work_dir/old.$i ]]; then
      kept="$previous_dir\${touched[i]}"
      mkdir -p -- "$(dirname -- "$kept")"
      cp -p -- "$work_dir/old.$i" "$kept"
    fi
  done
}

# Manifest lines drive rm, so it may only name files of this tier (0.cm-infra-<tier>.conf, cm-infra-<tier>.conf).
read_manifest() {
  local path
  manifest_paths=()
  if [[ ! -f $manifest ]]; then return 0; fi
  while IFS= read -r path; do
    if [[ -z $path ]]; then continue; fi
    case $path in
      */../* | */./*) fail "manifest $manifest lists $path; refusing to touch it" ;;
      /*/0.cm-infra-"$tier".conf | /*/cm-infra-"$tier".conf) manifest_paths+=("$path") ;;
      *) fail "manifest $manifest lists $path, which is not a cm-infra-$tier file; refusing to touch it" ;;
    esac
  done <"$manifest"
}

is_wanted() {
  local path
  for path in "\${wanted_paths[@]}"; do
    if [[ $path == "$1" ]]; then return 0; fi
  done
  return 1
}
`;

/** create/update: read framed files from stdin, install them, drop paths of the old manifest. */
export const EDGE_APPLY = `
# Stdin format (see fileFrames.ts): header, then per file "@file <sha256> <path>",
# "|"-prefixed lines and "@end", then "@eof <count>". Files land in $work_dir/new.<index>.
read_frames() {
  local line header="" sha="" path="" index="" count=0 seen=" " i
  IFS= read -r header || true
  if [[ $header != "$frame_header" ]]; then fail "stdin does not start with the header line: $frame_header"; fi
  while IFS= read -r line; do
    case $line in
      "|"*)
        if [[ -z $path ]]; then fail "stdin has a content line outside a @file frame"; fi
        printf "%s\\n" "\${line:1}" >>"$work_dir/new.$index"
        ;;
      "@file "*)
        if [[ -n $path ]]; then fail "stdin frame for $path has no @end"; fi
        read -r sha path <<<"\${line#@file }"
        index=""
        for i in "\${!wanted_paths[@]}"; do
          if [[ \${wanted_paths[i]} == "$path" ]]; then index=$i; fi
        done
        if [[ -z $index ]]; then fail "stdin carries $path, which this script does not manage"; fi
        if [[ $seen == *" $index "* ]]; then fail "stdin carries $path twice"; fi
        seen+="$index "
        : >"$work_dir/new.$index"
        ;;
      "@end")
        if [[ -z $path ]]; then fail "stdin has @end without @file"; fi
        if [[ $(sha256sum <"$work_dir/new.$index") != "$sha  -" ]]; then
          fail "stdin content of $path does not match its sha256"
        fi
        chmod 0644 -- "$work_dir/new.$index"
        count=$((count + 1))
        path=""
        ;;
      "@eof "*)
        if [[ -n $path || \${line#@eof } != "$count" || $count != "\${#wanted_paths[@]}" ]]; then
          fail "stdin must carry exactly the \${#wanted_paths[@]} managed files, got $count"
        fi
        return 0
        ;;
      *) fail "stdin has an unexpected line (not part of the frame format)" ;;
    esac
  done
  fail "stdin ended before @eof; was it truncated?"
}

check_target_folders() {
  local path
  for path in "\${wanted_paths[@]}"; do
    # Creating a missing vhost folder would hide a wrong layout.vhostDir.
    if [[ ! -d $(dirname -- "$path") ]]; then fail "folder $(dirname -- "$path") does not exist"; fi
  done
}

all_current() { # all_current <number of stale paths>
  local i
  if (( $1 > 0 )); then return 1; fi
  for i in "\${!wanted_paths[@]}"; do
    if ! cmp -s -- "$work_dir/new.$i" "\${wanted_paths[i]}"; then return 1; fi
  done
}

write_manifest() {
  printf "%s\\n" "\${wanted_paths[@]}" >"$work_dir/manifest"
  if ! cmp -s -- "$work_dir/manifest" "$manifest"; then install_file "$work_dir/manifest" "$manifest"; fi
}

main_apply() {
  local i path stale=()
  start_work
  read_frames
  check_target_folders
  read_manifest
  for path in \${manifest_paths[@]+"\${manifest_paths[@]}"}; do
    if ! is_wanted "$path" && [[ -e $path ]]; then stale+=("$path"); fi
  done
  if all_current "\${#stale[@]}"; then
    write_manifest
    say "all files already current; nothing written, nginx not tested or reloaded"
    summary unchanged no
    return 0
  fi
  touched=("\${wanted_paths[@]}" \${stale[@]+"\${stale[@]}"})
  snapshot_touched
  restore_on_exit=1
  for i in "\${!wanted_paths[@]}"; do install_file "$work_dir/new.$i" "\${wanted_paths[i]}"; done
  for path in \${stale[@]+"\${stale[@]}"}; do
    rm -f -- "$path"
    say "removed $path (listed in the previous manifest)"
  done
  test_and_reload yes
  restore_on_exit=0
  keep_previous_versions
  write_manifest
  summary changed yes
}

main_apply
`;

/** delete: remove exactly our files (this render's paths plus the manifest's), test, reload. */
export const EDGE_DELETE = `
main_delete() {
  local i path present=0
  start_work
  read_manifest
  touched=("\${wanted_paths[@]}")
  for path in \${manifest_paths[@]+"\${manifest_paths[@]}"}; do
    if ! is_wanted "$path"; then touched+=("$path"); fi
  done
  snapshot_touched
  for i in "\${!touched[@]}"; do
    if [[ -e $work_dir/old.$i ]]; then present=$((present + 1)); fi
  done
  if (( present == 0 )); then
    rm -f -- "$manifest"
    say "none of the managed files exist; nothing to remove"
    summary absent no
    return 0
  fi
  restore_on_exit=1
  for path in "\${touched[@]}"; do
    if [[ -e $path ]]; then
      rm -f -- "$path"
      say "removed $path"
    fi
  done
  test_and_reload no
  restore_on_exit=0
  keep_previous_versions
  rm -f -- "$manifest"
  summary removed yes
}

main_delete
`;
