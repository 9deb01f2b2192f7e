# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall, delete: remove exactly this tier's rules, leaving other tiers' and
# the operator's.
remove_chain_live() {
  local tries=0
  while iptables -C DOCKER-USER -j "$CHAIN" 2>/dev/null; do
    OUTCOME=""
    iptables -D DOCKER-USER -j "$CHAIN"
    ((++tries < 20)) || die "could not remove the DOCKER-USER jump to $CHAIN"
  done
  if iptables -S "$CHAIN" >/dev/null 2>&1; then
    OUTCOME=""
    iptables -F "$CHAIN"
    iptables -X "$CHAIN"
    say "removed $CHAIN from the running firewall"
  fi
}

release_all_rules() {
  local kind rule
  [[ -f $STATE_FILE ]] || return 0
  while read -r kind rule; do
    release_rule "$kind" "$rule"
  done <"$STATE_FILE"
  rm -f "$STATE_FILE"
}

remove_empty_folders() {
  local folder
  for folder in "$FRAGMENT_DIR" "${FRAGMENT_DIR%/*}" "$STATE_DIR" "${STATE_DIR%/*}"; do
    if [[ -d $folder ]]; then rmdir --ignore-fail-on-non-empty "$folder"; fi
  done
}

preflight
take_lock
BEFORE=$(fingerprint)
prepare_block ""
if [[ -e $FRAGMENT_FILE ]]; then
  rm -f "$FRAGMENT_FILE" 2>/dev/null || die "cannot remove $FRAGMENT_FILE (read-only?)"
  OUTCOME=""
fi
install_block
remove_chain_live
# the other tiers' rules, as their block now stands
BLOCK_CHANGED=1
load_block_live
release_all_rules
ufw_changes_done
remove_empty_folders
summarize_run "$BEFORE"
