# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# aaPanel host firewall, delete: give up exactly this tier's rules; other tiers', the
# panel's and the operator's stay.
ufw_will_be_active() { ufw_is_active; }

# A record lost (removed by hand) while no other tier has one: every rule with our comment
# can only be this tier's. With other records present, nothing tells them apart: left.
recover_record() {
  local file line
  ((${#RECORDED[@]} == 0)) || return 0
  for file in "$STATE_DIR"/aapanel-*.ufw; do
    [[ ! -e $file ]] || return 0
  done
  while IFS= read -r line; do
    [[ $line == *" comment '$COMMENT'" ]] || continue
    line=${line%% comment \'*}
    read_rule "$line"
    if [[ $RULE_PLAIN == yes ]] && ports_cover "$RULE_PORTS" "$SSH_PORT"; then RECORDED+=("ssh $line"); else RECORDED+=("other $line"); fi
  done <<<"$ADDED"
}

release_all() {
  local entry
  for entry in "${RECORDED[@]}"; do
    release_rule "${entry%% *}" "${entry#* }"
  done
}

remove_empty_folders() {
  local folder
  for folder in "$STATE_DIR" "${STATE_DIR%/*}"; do
    if [[ -d $folder ]]; then rmdir --ignore-fail-on-non-empty "$folder"; fi
  done
}

preflight
take_lock
BEFORE=$(fingerprint)
read_record
recover_record
release_all
ufw_changes_done
write_record "${KEPT[@]}"
remove_empty_folders
summarize_run "$BEFORE"
