// (In this template "\\${" is bash's own "${", escaped for TypeScript.)
/** The generated block in /etc/ufw/after.rules and loading it into the running firewall. */
export const FIREWALL_BLOCK_BASH = `# Persistence design. ufw-init loads /etc/ufw/after.rules with iptables-restore
# --noflush at boot (before dockerd starts) and on every \`ufw reload\`, so rules kept
# there are in place before any container is published and come back after a reload.
# dockerd keeps DOCKER-USER's content when it restarts. The block must declare
# DOCKER-USER: at boot the chain does not exist yet, and an "-A DOCKER-USER" without
# it would make the whole file, and so all of ufw's start, fail. A declared chain is
# flushed by iptables-restore, which makes the block idempotent, but also means that
# one block per tier would wipe the other tiers' jumps on each reload. So each tier
# writes only its own fragment (/etc/cm-infra/firewall.d/<tier>.rules) and one block
# is rebuilt from all fragments under the host-wide lock. DOCKER-USER belongs to this
# block: an operator's own DOCKER-USER rules go in another *.rules file there.
render_block() {
  local fragments=("$FRAGMENT_DIR"/*.rules)
  [[ -e \${fragments[0]} ]] || return 0
  printf '%s\\n' "$BLOCK_BEGIN" '*filter' ':DOCKER-USER - [0:0]'
  grep -h '^:' "\${fragments[@]}"
  grep -h '^-A' "\${fragments[@]}"
  printf '%s\\n' 'COMMIT' "$BLOCK_END"
}

check_block_markers() {
  local begins ends
  begins=$(grep -cxF -- "$BLOCK_BEGIN" "$AFTER_RULES" || true)
  ends=$(grep -cxF -- "$BLOCK_END" "$AFTER_RULES" || true)
  [[ $begins == "$ends" && $begins -le 1 ]] ||
    die "$AFTER_RULES has $begins begin and $ends end markers of the cm-infra block; fix it by hand"
}

after_rules_without_block() {
  awk -v b="$BLOCK_BEGIN" -v e="$BLOCK_END" '$0 == b { skip = 1; next } $0 == e { skip = 0; next } !skip' "$AFTER_RULES"
}

# Rewrites after.rules only when the block differs; sets BLOCK_CHANGED=1 if it did.
BLOCK_CHANGED=0
install_block() {
  check_block_markers
  local block tmp
  block=$(render_block)
  if [[ -n $block ]]; then
    # a broken after.rules would stop ufw from starting at the next boot
    printf '%s\\n' "$block" | iptables-restore --test --noflush ||
      die "iptables-restore --test rejected the generated block; $AFTER_RULES left as it was"
  fi
  tmp=$(mktemp "$AFTER_RULES.cm-infra.XXXXXX")
  {
    after_rules_without_block
    if [[ -n $block ]]; then printf '%s\\n' "$block"; fi
  } >"$tmp"
  if cmp -s "$tmp" "$AFTER_RULES"; then
    rm -f "$tmp"
    return 0
  fi
  chmod --reference="$AFTER_RULES" "$tmp"
  chown --reference="$AFTER_RULES" "$tmp"
  mv -f "$tmp" "$AFTER_RULES"
  BLOCK_CHANGED=1
  say "rewrote the cm-infra block in $AFTER_RULES"
}

# Loads the block as ufw-init would (iptables-restore --noflush) instead of a full
# \`ufw reload\`: same result for our chains, without re-creating all of ufw's.
load_block_live() {
  local block
  block=$(render_block)
  if [[ -z $block ]]; then
    rm -f "$SNAPSHOT"
    return 0
  fi
  if [[ $BLOCK_CHANGED == 0 && -f $SNAPSHOT && "$(managed_live_rules)" == "$(cat "$SNAPSHOT")" ]]; then
    return 0
  fi
  printf '%s\\n' "$block" | iptables-restore --noflush
  mkdir -p "$STATE_DIR"
  managed_live_rules >"$SNAPSHOT"
  say "loaded the DOCKER-USER rules into the running firewall"
}

`;
