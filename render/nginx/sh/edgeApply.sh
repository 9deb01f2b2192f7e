# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site, create/update: read framed files from stdin, test them staged, install them,
# drop paths of the old manifest.

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
        if ! printf "%s\n" "${line:1}" >>"$work_dir/new.$index"; then fail "cannot write in $work_dir"; fi
        ;;
      "@file "*)
        if [[ -n $path ]]; then fail "stdin frame for $path has no @end"; fi
        read -r sha path <<<"${line#@file }"
        index=""
        for i in "${!wanted_paths[@]}"; do
          if [[ ${wanted_paths[i]} == "$path" ]]; then index=$i; fi
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
        if [[ -n $path || ${line#@eof } != "$count" || $count != "${#wanted_paths[@]}" ]]; then
          fail "stdin must carry exactly the ${#wanted_paths[@]} managed files, got $count"
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
  for path in "${wanted_paths[@]}"; do
    # Creating a missing vhost folder would hide a wrong layout.vhostDir.
    if [[ ! -d ${path%/*} ]]; then fail "folder ${path%/*} does not exist"; fi
  done
}

# Stale files (listed by an earlier manifest, in a folder no longer used) go first, then
# the new file: no state in between has a second copy of our zone.
plan_steps() {
  local i path stale=()
  for path in ${manifest_paths[@]+"${manifest_paths[@]}"}; do
    if ! is_wanted "$path" && [[ $path != "$legacy_conf" ]]; then stale+=("$path"); fi
  done
  add_removals ${stale[@]+"${stale[@]}"}
  for i in "${!wanted_paths[@]}"; do
    if [[ ${wanted_paths[i]} == "$site_conf" && -e $legacy_conf ]]; then
      plan_merge "$work_dir/new.$i"
    elif ! cmp -s -- "$work_dir/new.$i" "${wanted_paths[i]}"; then
      add_step install "${wanted_paths[i]}" "$work_dir/new.$i"
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
  clear_leftovers "${wanted_paths[@]}" ${manifest_paths[@]+"${manifest_paths[@]}"} "$manifest"
  plan_steps
  manifest_file manifest.final "${wanted_paths[@]}"
  if (( ${#step_kind[@]} == 0 )); then
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
  manifest_file manifest.during "${wanted_paths[@]}" ${manifest_paths[@]+"${manifest_paths[@]}"}
  if ! cmp -s -- "$work_dir/manifest.during" "$manifest"; then install_file "$work_dir/manifest.during" "$manifest"; fi
  mark_reload_pending
  take_steps
  test_live_and_reload
  if ! mv -f -- "$final_manifest" "$manifest"; then say "warning: could not update $manifest; the next run does"; fi
  keep_previous_versions
  summary changed yes
}

main_apply
