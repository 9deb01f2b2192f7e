# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site, delete: remove exactly our files (this render's paths plus the manifest's),
# tested staged first.

main_delete() {
  local touched=()
  start_work
  read_manifest
  clear_leftovers "${WANTED_PATHS[@]}" ${MANIFEST_PATHS[@]+"${MANIFEST_PATHS[@]}"} "$MANIFEST"
  # $LEGACY_CONF even when no manifest lists it: it only ever held this tier's zone.
  manifest_file touched "${WANTED_PATHS[@]}" "$LEGACY_CONF" ${MANIFEST_PATHS[@]+"${MANIFEST_PATHS[@]}"}
  mapfile -t touched <"$WORK_DIR/touched"
  add_removals "${touched[@]}"
  if (( ${#STEP_KIND[@]} == 0 )); then
    rm -f -- "$MANIFEST"
    if [[ ! -e $RELOAD_MARKER ]]; then
      say "none of the managed files exist; nothing to remove"
      summarize "result=absent reloaded=no"
      return 0
    fi
    say "the files are gone, but an interrupted run did not reload nginx: testing and reloading"
    test_live_and_reload
    summarize "result=removed reloaded=yes"
    return 0
  fi
  snapshot_steps
  check_removals_possible
  prepare_staging no
  test_every_step no
  mark_reload_pending
  take_steps
  test_live_and_reload
  rm -f -- "$MANIFEST"
  keep_previous_versions
  summarize "result=removed reloaded=yes"
}

main_delete
