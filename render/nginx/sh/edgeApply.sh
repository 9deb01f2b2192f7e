# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site, create/update: read framed files from stdin, test them staged, install them,
# drop paths of the old manifest.

# Stdin format (see fileFrames.ts): header, then per file "@file <sha256> <path>",
# "|"-prefixed lines and "@end", then "@eof <count>". Files land in $WORK_DIR/new.<index>.
read_frames() {
  local line header="" sha="" path="" index="" count=0 seen=" " i
  IFS= read -r header || true
  if [[ $header != "$FRAME_HEADER" ]]; then die "stdin does not start with the header line: $FRAME_HEADER"; fi
  while IFS= read -r line; do
    case $line in
      "|"*)
        if [[ -z $path ]]; then die "stdin has a content line outside a @file frame"; fi
        if ! printf "%s\n" "${line:1}" >>"$WORK_DIR/new.$index"; then die "cannot write in $WORK_DIR"; fi
        ;;
      "@file "*)
        if [[ -n $path ]]; then die "stdin frame for $path has no @end"; fi
        read -r sha path <<<"${line#@file }"
        index=""
        for i in "${!WANTED_PATHS[@]}"; do
          if [[ ${WANTED_PATHS[i]} == "$path" ]]; then index=$i; fi
        done
        if [[ -z $index ]]; then die "stdin carries $path, which this script does not manage"; fi
        if [[ $seen == *" $index "* ]]; then die "stdin carries $path twice"; fi
        seen+="$index "
        : >"$WORK_DIR/new.$index"
        ;;
      "@end")
        if [[ -z $path ]]; then die "stdin has @end without @file"; fi
        if [[ $(sha256sum <"$WORK_DIR/new.$index") != "$sha  -" ]]; then
          die "stdin content of $path does not match its sha256"
        fi
        chmod 0644 -- "$WORK_DIR/new.$index"
        count=$((count + 1))
        path=""
        ;;
      "@eof "*)
        if [[ -n $path || ${line#@eof } != "$count" || $count != "${#WANTED_PATHS[@]}" ]]; then
          die "stdin must carry exactly the ${#WANTED_PATHS[@]} managed files, got $count"
        fi
        return 0
        ;;
      *) die "stdin has an unexpected line (not part of the frame format)" ;;
    esac
  done
  die "stdin ended before @eof; was it truncated?"
}

check_target_folders() {
  local path
  for path in "${WANTED_PATHS[@]}"; do
    # Creating a missing vhost folder would hide a wrong layout.vhostDir.
    if [[ ! -d ${path%/*} ]]; then die "folder ${path%/*} does not exist"; fi
  done
}

# Stale files (listed by an earlier manifest, in a folder no longer used) go first, then
# the new file: no state in between has a second copy of our zone.
plan_steps() {
  local i path stale=()
  for path in ${MANIFEST_PATHS[@]+"${MANIFEST_PATHS[@]}"}; do
    if ! is_wanted "$path" && [[ $path != "$LEGACY_CONF" ]]; then stale+=("$path"); fi
  done
  add_removals ${stale[@]+"${stale[@]}"}
  for i in "${!WANTED_PATHS[@]}"; do
    if [[ ${WANTED_PATHS[i]} == "$SITE_CONF" && -e $LEGACY_CONF ]]; then
      plan_merge "$WORK_DIR/new.$i"
    elif ! cmp -s -- "$WORK_DIR/new.$i" "${WANTED_PATHS[i]}"; then
      add_step install "${WANTED_PATHS[i]}" "$WORK_DIR/new.$i"
    fi
  done
}

# An earlier version's site is two files: the zone in $LEGACY_CONF, the server using it in
# $SITE_CONF. Renaming the new file over $SITE_CONF would define the zone twice (nginx -t:
# "is already bound to key"); removing $LEGACY_CONF first would leave a server without its
# zone. So the new file first replaces $LEGACY_CONF (the old server then only repeats a
# server_name, which nginx -t warns about; the first file loaded, the new one, serves),
# and one rename then moves it over $SITE_CONF, taking $LEGACY_CONF away with it.
plan_merge() { # plan_merge <new content of $SITE_CONF>
  if cmp -s -- "$1" "$SITE_CONF"; then
    add_step remove "$LEGACY_CONF"
    return 0
  fi
  # $SITE_CONF already has the zone (the one-file layout, with a zone file put back beside
  # it): that zone file is a stray copy, and without it $SITE_CONF stands alone.
  if grep -q "^limit_req_zone " -- "$SITE_CONF" 2>/dev/null; then
    add_step remove "$LEGACY_CONF"
    add_step install "$SITE_CONF" "$1"
    return 0
  fi
  if ! cmp -s -- "$1" "$LEGACY_CONF"; then add_step install "$LEGACY_CONF" "$1"; fi
  add_step move "$SITE_CONF" "$LEGACY_CONF"
}

main_apply() {
  local final_manifest
  start_work
  read_frames
  check_target_folders
  read_manifest
  clear_leftovers "${WANTED_PATHS[@]}" ${MANIFEST_PATHS[@]+"${MANIFEST_PATHS[@]}"} "$MANIFEST"
  plan_steps
  manifest_file manifest.final "${WANTED_PATHS[@]}"
  if (( ${#STEP_KIND[@]} == 0 )); then
    if ! cmp -s -- "$WORK_DIR/manifest.final" "$MANIFEST"; then install_file "$WORK_DIR/manifest.final" "$MANIFEST"; fi
    if [[ ! -e $RELOAD_MARKER ]]; then
      say "all files already current; nothing written, nginx not tested or reloaded"
      summarize "result=unchanged reloaded=no"
      return 0
    fi
    say "all files already current, but an interrupted run did not reload nginx: testing and reloading"
    test_live_and_reload
    summarize "result=changed reloaded=yes"
    return 0
  fi
  snapshot_steps
  write_new_files
  check_removals_possible
  prepare_staging yes
  test_every_step yes
  # Everything that can fail for want of space happens before the first live step.
  write_beside "$WORK_DIR/manifest.final" "$MANIFEST"
  final_manifest=$BESIDE_TEMP
  # Listing old and new paths while the steps run: a run killed half-way leaves nothing
  # that the next run would not know to remove.
  manifest_file manifest.during "${WANTED_PATHS[@]}" ${MANIFEST_PATHS[@]+"${MANIFEST_PATHS[@]}"}
  if ! cmp -s -- "$WORK_DIR/manifest.during" "$MANIFEST"; then install_file "$WORK_DIR/manifest.during" "$MANIFEST"; fi
  mark_reload_pending
  take_steps
  test_live_and_reload
  if ! mv -f -- "$final_manifest" "$MANIFEST"; then warn "could not update $MANIFEST; the next run does"; fi
  keep_previous_versions
  summarize "result=changed reloaded=yes"
}

main_apply
