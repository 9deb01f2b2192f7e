/**
 * Bash bodies of the edge-site scripts. Values arrive as variables set by
 * edgeSiteScripts.ts; nothing here is interpolated by TypeScript (hence `\${`).
 * Target: bash >= 4.2 (CentOS 7 hosts), so possibly-empty arrays use the
 * `${a[@]+"${a[@]}"}` form that `set -u` accepts there.
 */

/** Logging, exit trap, leftovers of interrupted runs and the manifest, shared by apply and delete. */
export const EDGE_COMMON = `
# Says on every failure whether anything was changed; the steps update it.
outcome="nothing was changed"
say() { printf "cm-infra edge %s: %s\\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=$2"; }
fail() {
  printf "cm-infra edge %s: error: %s\\n" "$tier" "$*\${outcome:+; $outcome}" >&2
  summary failed no
  exit 1
}

work_dir=""
beside_temps=()

# Scratch files only: a live file is never restored from here. A run killed before this
# trap (SIGKILL, a lost session) leaves them; the next run removes them (clear_leftovers).
on_exit() {
  local status=$? path
  for path in \${beside_temps[@]+"\${beside_temps[@]}"}; do rm -f -- "$path"; done
  if [[ -n \${test_conf:-} ]]; then rm -f -- "$test_conf"; fi
  if [[ -n $work_dir ]]; then rm -rf -- "$work_dir"; fi
  exit "$status"
}
trap on_exit EXIT

start_work() {
  local output
  take_lock
  if [[ ! -d $tier_state ]] && ! output=$(mkdir -p -- "$tier_state" 2>&1 && chmod 0750 -- "$tier_state" 2>&1); then
    fail "cannot create $tier_state: \${output##*: }"
  fi
  rm -rf -- "$tier_state"/work.* 2>/dev/null || true
  if ! output=$(mktemp -d "$tier_state/work.XXXXXX" 2>&1); then
    fail "cannot create a work folder in $tier_state: \${output##*: }"
  fi
  work_dir=$output
}

# What a killed run left: its scratch files, named so that nginx never loads them. Every
# run that writes them holds the lock, so none of them is in use now.
clear_leftovers() { # clear_leftovers <path in each folder to clear>...
  local path
  for path in "$@"; do rm -f -- "\${path%/*}"/.cm-infra-tmp."$tier".* 2>/dev/null || true; done
  rm -f -- "\${nginx_conf%/*}"/.cm-infra-test."$tier".* 2>/dev/null || true
}

# Manifest lines drive rm, so it may only name files of this tier: cm-infra-<tier>.conf, and
# 0.cm-infra-<tier>.conf, where earlier versions kept the zone apart.
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

# The manifest text for these paths, each once, in $work_dir/<name>.
manifest_file() { # manifest_file <name> <path>...
  local name=$1 path listed=" " text=""
  shift
  for path in "$@"; do
    if [[ $listed == *" $path "* ]]; then continue; fi
    listed+="$path "
    text+="$path"$'\\n'
  done
  if ! printf "%s" "$text" >"$work_dir/$name"; then fail "cannot write in $work_dir"; fi
}

is_wanted() {
  local path
  for path in "\${wanted_paths[@]}"; do
    if [[ $path == "$1" ]]; then return 0; fi
  done
  return 1
}
`;

/** create/update: read framed files from stdin, test them staged, install them, drop paths of the old manifest. */
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
        if ! printf "%s\\n" "\${line:1}" >>"$work_dir/new.$index"; then fail "cannot write in $work_dir"; fi
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
    if [[ ! -d \${path%/*} ]]; then fail "folder \${path%/*} does not exist"; fi
  done
}

# Stale files (listed by an earlier manifest, in a folder no longer used) go first, then
# the new file: no state in between has a second copy of our zone.
plan_steps() {
  local i path stale=()
  for path in \${manifest_paths[@]+"\${manifest_paths[@]}"}; do
    if ! is_wanted "$path" && [[ $path != "$legacy_conf" ]]; then stale+=("$path"); fi
  done
  add_removals \${stale[@]+"\${stale[@]}"}
  for i in "\${!wanted_paths[@]}"; do
    if [[ \${wanted_paths[i]} == "$site_conf" && -e $legacy_conf ]]; then
      plan_merge "$work_dir/new.$i"
    elif ! cmp -s -- "$work_dir/new.$i" "\${wanted_paths[i]}"; then
      add_step install "\${wanted_paths[i]}" "$work_dir/new.$i"
    fi
  done
}

# An earlier version's site is two files: the zone in $legacy_conf, the server using it in
# $site_conf. Renaming the new file over $site_conf would define the zone twice (nginx -t:
# "is already bound to key"); removing $legacy_conf first would leave a server without its
# zone. So the new file first replaces $legacy_conf (the old server then only repeats a
# server_name, which nginx -t warns about; the first file loaded, the new one, serves),
# and one rename then moves it over $site_conf, taking $legacy_conf away with it.
plan_merge() { # plan_merge <new content of $site_conf>
  if cmp -s -- "$1" "$site_conf"; then
    add_step remove "$legacy_conf"
    return 0
  fi
  # $site_conf already has the zone (the one-file layout, with a zone file put back beside
  # it): that zone file is a stray copy, and without it $site_conf stands alone.
  if grep -q "^limit_req_zone " -- "$site_conf" 2>/dev/null; then
    add_step remove "$legacy_conf"
    add_step install "$site_conf" "$1"
    return 0
  fi
  if ! cmp -s -- "$1" "$legacy_conf"; then add_step install "$legacy_conf" "$1"; fi
  add_step move "$site_conf" "$legacy_conf"
}

main_apply() {
  local final_manifest
  start_work
  read_frames
  check_target_folders
  read_manifest
  clear_leftovers "\${wanted_paths[@]}" \${manifest_paths[@]+"\${manifest_paths[@]}"} "$manifest"
  plan_steps
  manifest_file manifest.final "\${wanted_paths[@]}"
  if (( \${#step_kind[@]} == 0 )); then
    if ! cmp -s -- "$work_dir/manifest.final" "$manifest"; then install_file "$work_dir/manifest.final" "$manifest"; fi
    if [[ ! -e $reload_marker ]]; then
      say "all files already current; nothing written, nginx not tested or reloaded"
      summary unchanged no
      return 0
    fi
    say "all files already current, but an interrupted run did not reload nginx: testing and reloading"
    test_live_and_reload
    summary changed yes
    return 0
  fi
  snapshot_steps
  write_new_files
  check_removals_possible
  prepare_staging yes
  test_every_step yes
  # Everything that can fail for want of space happens before the first live step.
  write_beside "$work_dir/manifest.final" "$manifest"
  final_manifest=$beside_temp
  # Listing old and new paths while the steps run: a run killed half-way leaves nothing
  # that the next run would not know to remove.
  manifest_file manifest.during "\${wanted_paths[@]}" \${manifest_paths[@]+"\${manifest_paths[@]}"}
  if ! cmp -s -- "$work_dir/manifest.during" "$manifest"; then install_file "$work_dir/manifest.during" "$manifest"; fi
  mark_reload_pending
  take_steps
  test_live_and_reload
  if ! mv -f -- "$final_manifest" "$manifest"; then say "warning: could not update $manifest; the next run does"; fi
  keep_previous_versions
  summary changed yes
}

main_apply
`;

/** delete: remove exactly our files (this render's paths plus the manifest's), tested staged first. */
export const EDGE_DELETE = `
main_delete() {
  local touched=()
  start_work
  read_manifest
  clear_leftovers "\${wanted_paths[@]}" \${manifest_paths[@]+"\${manifest_paths[@]}"} "$manifest"
  # $legacy_conf even when no manifest lists it: it only ever held this tier's zone.
  manifest_file touched "\${wanted_paths[@]}" "$legacy_conf" \${manifest_paths[@]+"\${manifest_paths[@]}"}
  mapfile -t touched <"$work_dir/touched"
  add_removals "\${touched[@]}"
  if (( \${#step_kind[@]} == 0 )); then
    rm -f -- "$manifest"
    if [[ ! -e $reload_marker ]]; then
      say "none of the managed files exist; nothing to remove"
      summary absent no
      return 0
    fi
    say "the files are gone, but an interrupted run did not reload nginx: testing and reloading"
    test_live_and_reload
    summary removed yes
    return 0
  fi
  snapshot_steps
  check_removals_possible
  prepare_staging no
  test_every_step no
  mark_reload_pending
  take_steps
  test_live_and_reload
  rm -f -- "$manifest"
  keep_previous_versions
  summary removed yes
}

main_delete
`;
