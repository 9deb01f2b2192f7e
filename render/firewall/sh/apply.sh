# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall, create/update: install or refresh this tier's rules; idempotent.
refuse_inactive_ufw() {
  ufw_is_active && return 0
  [[ $ENABLE_UFW == yes ]] && return 0
  die "ufw is inactive on this host and firewall.enableUfw is false. Inactive ufw never loads" \
    "$AFTER_RULES, so the rules would be gone after the next reboot. Either enable ufw yourself" \
    "(after allowing SSH), or set firewall.enableUfw to true (pulumi config set --path" \
    "firewall.enableUfw true) to let cm-infra allow SSH from firewall.adminSources and enable it."
}

# The new fragment beside the old one (NEW_FRAGMENT), or nothing when it is current.
NEW_FRAGMENT=""
prepare_fragment() {
  if [[ -f $FRAGMENT_FILE && "$(cat "$FRAGMENT_FILE")" == "$FRAGMENT" ]]; then return 0; fi
  printf '*filter\n:DOCKER-USER - [0:0]\n%s\nCOMMIT\n' "$FRAGMENT" | iptables-restore --test --noflush ||
    die "iptables-restore --test rejected the rules for $TIER"
  write_beside "$FRAGMENT_FILE" .cm-infra-tmp.XXXXXX < <(printf '%s\n' "$FRAGMENT")
  chmod 0644 "$TEMP_FILE"
  NEW_FRAGMENT=$TEMP_FILE
}

install_fragment() {
  [[ -n $NEW_FRAGMENT ]] || return 0
  OUTCOME=""
  mv -f "$NEW_FRAGMENT" "$FRAGMENT_FILE"
  say "wrote $FRAGMENT_FILE"
}

TRACKED=()

# SSH first, so enabling ufw later can never lock the operator out. A rule someone
# else already added is left to them and not tracked: destroy must not take it away.
claim_ssh_rules() {
  local rule
  for rule in "${SSH_RULES[@]}"; do
    case $(rule_owner "$rule") in
      absent)
        ufw_add "$rule"
        TRACKED+=("ssh $rule")
        ;;
      ours | cm-infra) TRACKED+=("ssh $rule") ;;
      operator) say "SSH rule '$rule' exists already and is not ours; leaving it to its owner" ;;
    esac
  done
  fresh_added
}

# ufw takes the first matching rule and only appends, so when our port rules are not
# exactly the wanted ones in the wanted order, ours are removed and re-added in order.
claim_port_rules() {
  local rule line wanted=() present=()
  for rule in "${PORT_RULES[@]}"; do
    case $(rule_owner "$rule") in
      absent | ours) wanted+=("$rule") ;;
      cm-infra) TRACKED+=("port $rule") ;;
      operator) say "rule '$rule' exists already and is not ours; leaving it to its owner" ;;
    esac
  done
  while IFS= read -r line; do
    [[ $line == *" comment '$COMMENT'" ]] || continue
    for rule in "${wanted[@]}"; do
      if [[ $line == "$rule comment '$COMMENT'" ]]; then present+=("$rule"); fi
    done
  done <<<"$ADDED"
  if [[ "${present[*]}" != "${wanted[*]}" ]]; then
    # each delete finds its rule's comment in the list read before the first one
    for rule in "${present[@]}"; do ufw_delete "$rule"; done
    for rule in "${wanted[@]}"; do ufw_add "$rule"; done
    fresh_added
  fi
  for rule in "${wanted[@]}"; do TRACKED+=("port $rule"); done
}

release_unwanted_rules() {
  local kind rule entry
  [[ -f $STATE_FILE ]] || return 0
  while read -r kind rule; do
    for entry in "${TRACKED[@]}"; do
      if [[ $entry == "$kind $rule" ]]; then continue 2; fi
    done
    release_rule "$kind" "$rule"
  done <"$STATE_FILE"
}

save_state() {
  mkdir -p "$STATE_DIR"
  if [[ ${#TRACKED[@]} -eq 0 ]]; then
    rm -f "$STATE_FILE"
    return 0
  fi
  # Without it the next run still finds our rules by their comment.
  if ! printf '%s\n' "${TRACKED[@]}" 2>/dev/null >"$STATE_FILE.tmp"; then
    die "cannot write $STATE_FILE.tmp (is the disk full?); the rules are in place, the next run records them"
  fi
  if cmp -s "$STATE_FILE.tmp" "$STATE_FILE"; then rm -f "$STATE_FILE.tmp"; else mv -f "$STATE_FILE.tmp" "$STATE_FILE"; fi
}

enable_ufw_if_chosen() {
  ufw_is_active && return 0
  run_ufw --force enable
  UFW_ACTIVE=yes
}

preflight
take_lock
BEFORE=$(fingerprint)
refuse_inactive_ufw
prepare_fragment
if [[ -n $NEW_FRAGMENT ]]; then prepare_block "$NEW_FRAGMENT"; else prepare_block "$FRAGMENT_FILE"; fi
# Everything that can fail for want of space or a read-only /etc has happened.
install_fragment
install_block
load_block_live
claim_ssh_rules
claim_port_rules
release_unwanted_rules
save_state
enable_ufw_if_chosen
ufw_changes_done
summarize_run "$BEFORE"
