// (In this template "\\${" is bash's own "${", escaped for TypeScript.)
/** create/update: install or refresh this tier's rules; idempotent. */
export const FIREWALL_APPLY_BASH = `refuse_inactive_ufw() {
  ufw_is_active && return 0
  [[ $ENABLE_UFW == yes ]] && return 0
  die "ufw is inactive on this host and firewall.enableUfw is false. Inactive ufw never loads" \\
    "$AFTER_RULES, so the rules would be gone after the next reboot. Either enable ufw yourself" \\
    "(after allowing SSH), or set firewall.enableUfw to true (pulumi config set --path" \\
    "firewall.enableUfw true) to let cm-infra allow SSH from firewall.adminSources and enable it."
}

write_fragment() {
  if [[ -f $FRAGMENT_FILE && "$(cat "$FRAGMENT_FILE")" == "$FRAGMENT" ]]; then return 0; fi
  printf '*filter\\n:DOCKER-USER - [0:0]\\n%s\\nCOMMIT\\n' "$FRAGMENT" | iptables-restore --test --noflush ||
    die "iptables-restore --test rejected the rules for $TIER; nothing was changed"
  mkdir -p "$FRAGMENT_DIR"
  printf '%s\\n' "$FRAGMENT" >"$FRAGMENT_FILE.tmp"
  mv -f "$FRAGMENT_FILE.tmp" "$FRAGMENT_FILE"
  say "wrote $FRAGMENT_FILE"
}

TRACKED=()

# SSH first, so enabling ufw later can never lock the operator out. A rule someone
# else already added is left to them and not tracked: destroy must not take it away.
claim_ssh_rules() {
  local rule
  for rule in "\${SSH_RULES[@]}"; do
    case $(rule_owner "$rule") in
      absent)
        ufw_add "$rule"
        TRACKED+=("ssh $rule")
        ;;
      ours | cm-infra) TRACKED+=("ssh $rule") ;;
      operator) say "SSH rule '$rule' exists already and is not ours; leaving it to its owner" ;;
    esac
  done
}

# ufw takes the first matching rule and only appends, so when our port rules are not
# exactly the wanted ones in the wanted order, ours are removed and re-added in order.
claim_port_rules() {
  local rule line wanted=() present=()
  for rule in "\${PORT_RULES[@]}"; do
    case $(rule_owner "$rule") in
      absent | ours) wanted+=("$rule") ;;
      cm-infra) TRACKED+=("port $rule") ;;
      operator) say "rule '$rule' exists already and is not ours; leaving it to its owner" ;;
    esac
  done
  while IFS= read -r line; do
    [[ $line == *" comment '$COMMENT'" ]] || continue
    for rule in "\${wanted[@]}"; do
      if [[ $line == "$rule comment '$COMMENT'" ]]; then present+=("$rule"); fi
    done
  done <<<"$ADDED"
  if [[ "\${present[*]}" != "\${wanted[*]}" ]]; then
    for rule in "\${present[@]}"; do ufw_delete "$rule"; done
    for rule in "\${wanted[@]}"; do ufw_add "$rule"; done
  fi
  for rule in "\${wanted[@]}"; do TRACKED+=("port $rule"); done
}

release_unwanted_rules() {
  local kind rule entry
  [[ -f $STATE_FILE ]] || return 0
  while read -r kind rule; do
    for entry in "\${TRACKED[@]}"; do
      if [[ $entry == "$kind $rule" ]]; then continue 2; fi
    done
    release_rule "$kind" "$rule"
  done <"$STATE_FILE"
}

save_state() {
  mkdir -p "$STATE_DIR"
  if [[ \${#TRACKED[@]} -eq 0 ]]; then
    rm -f "$STATE_FILE"
    return 0
  fi
  printf '%s\\n' "\${TRACKED[@]}" >"$STATE_FILE.tmp"
  if cmp -s "$STATE_FILE.tmp" "$STATE_FILE"; then rm -f "$STATE_FILE.tmp"; else mv -f "$STATE_FILE.tmp" "$STATE_FILE"; fi
}

enable_ufw_if_chosen() {
  ufw_is_active && return 0
  run_ufw --force enable
}

preflight
take_lock
BEFORE=$(fingerprint)
refuse_inactive_ufw
write_fragment
install_block
load_block_live
claim_ssh_rules
claim_port_rules
release_unwanted_rules
save_state
enable_ufw_if_chosen
summary "$BEFORE"
`;
