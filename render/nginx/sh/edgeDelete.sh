# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site, delete: remove exactly our files (this render's paths plus the manifest's),
# tested staged first.

main_delete() {
  local touched=()
  start_work
  read_manifest
  clear_leftovers "${wanted_paths[@]}" ${manifest_paths[@]+"${manifest_paths[@]}"} "$manifest"
  # $legacy_conf even when no manifest lists it: it only ever held this tier's zone.
  manifest_file touched "${wanted_paths[@]}" "$legacy_conf" ${manifest_paths[@]+"${manifest_paths[@]}"}
  mapfile -t touched <"$work_dir/touched"
  add_removals "${touched[@]}"
  if (( ${#step_kind[@]} == 0 )); then
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
