// (In this template "\\${" is bash's own "${", escaped for TypeScript.)
/**
 * Shared by the apply and delete scripts: logging, locking, the managed block in
 * after.rules and who owns which ufw rule. Paths and per-tier values come from the
 * header scripts.ts renders in front of it.
 */
export const FIREWALL_COMMON_BASH = `readonly COMMENT_PREFIX='cm-infra:'
readonly COMMENT="$COMMENT_PREFIX$TIER"
readonly FRAGMENT_FILE="$FRAGMENT_DIR/$TIER.rules"
readonly STATE_FILE="$STATE_DIR/$TIER.ufw"
# The live DOCKER-USER/chain rules as last loaded; a mismatch means someone changed them.
readonly SNAPSHOT="$STATE_DIR/live-rules"

say() { printf 'cm-infra firewall %s: %s\\n' "$TIER" "$*"; }
die() { printf 'cm-infra firewall %s: ERROR: %s\\n' "$TIER" "$*" >&2; exit 1; }

preflight() {
  [[ $EUID -eq 0 ]] || die "must run as root: ufw and iptables need it"
  local tool
  for tool in ufw iptables iptables-save iptables-restore flock sha256sum awk; do
    command -v "$tool" >/dev/null || die "$tool not found; install the ufw and iptables packages"
  done
  [[ -f $AFTER_RULES ]] || die "$AFTER_RULES is missing; is ufw installed?"
}

# Two tiers on one host share after.rules, DOCKER-USER and ufw: one run at a time.
take_lock() {
  mkdir -p "\${LOCK_FILE%/*}"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another cm-infra firewall run held $LOCK_FILE for 120 s"
  refresh_added
  # a run killed half-way leaves its temporary copy of after.rules behind
  trap 'rm -f "$AFTER_RULES".cm-infra.*' EXIT
}

ufw_is_active() { [[ "$(ufw status)" == "Status: active"* ]]; }

# Rules as \`ufw show added\` prints them, without the leading "ufw ".
added_rules() { ufw show added | sed -n 's/^ufw //p'; }

# Every ufw call starts Python (about 0.3 s), so the rule list is read once into ADDED
# and read again only after a change.
ADDED=""
refresh_added() { ADDED=$(added_rules); }

# Live rules our block manages. Docker's own "-j RETURN", re-added when dockerd
# restarts, is left out on purpose: it changes nothing we rely on.
managed_live_rules() {
  iptables-save -t filter | grep -E '^-A (DOCKER-USER -j cm-infra-|cm-infra-)' || true
}

# Everything an apply can change; equal before and after means "unchanged".
fingerprint() {
  {
    cat "$AFTER_RULES"
    cat "$FRAGMENT_DIR"/*.rules 2>/dev/null || true
    cat "$STATE_DIR"/*.ufw 2>/dev/null || true
    ufw status
    added_rules
    managed_live_rules
  } | sha256sum
}

summary() {
  if [[ $1 == "$(fingerprint)" ]]; then say unchanged; else say changed; fi
}

# The block holds every tier's fragment. It must declare DOCKER-USER: at boot ufw
# runs before dockerd, and without the declaration the "-A DOCKER-USER" lines (and
# so all of ufw's start) would fail. Declaring it makes iptables-restore flush it,
# so the block has to carry every tier's jump: one block per tier would wipe the
# others' jumps on each reload. Operators can add their own DOCKER-USER rules as
# another *.rules file in the fragment folder.
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

# Prints who holds a rule: absent, ours, cm-infra (another tier) or operator.
rule_owner() {
  local rule=$1 line
  while IFS= read -r line; do
    if [[ $line == "$rule" ]]; then
      echo operator
      return
    fi
    if [[ $line == "$rule comment '"* ]]; then
      case \${line#"$rule comment '"} in
        "$COMMENT'") echo ours ;;
        "$COMMENT_PREFIX"*) echo cm-infra ;;
        *) echo operator ;;
      esac
      return
    fi
  done <<<"$ADDED"
  echo absent
}

# The comment a cm-infra rule carries now (it may name another tier).
rule_comment() {
  local rule=$1 line
  while IFS= read -r line; do
    if [[ $line == "$rule comment '$COMMENT_PREFIX"* ]]; then
      line=\${line#"$rule comment '"}
      printf '%s\\n' "\${line%\\'}"
      return
    fi
  done <<<"$ADDED"
}

run_ufw() {
  local output
  output=$(ufw "$@" </dev/null 2>&1) || die "ufw $* failed: $output"
  say "ufw $*: \${output//$'\\n'/; }"
  refresh_added
}

ufw_add() {
  local words
  read -ra words <<<"$1"
  run_ufw "\${words[@]}" comment "$COMMENT"
}

ufw_delete() {
  local words comment
  read -ra words <<<"$1"
  comment=$(rule_comment "$1")
  [[ -n $comment ]] || return 0
  run_ufw delete "\${words[@]}" comment "$comment"
}

# State lines are "<kind> <rule>", kind ssh or port.
state_has() {
  local file=$1 wanted=$2 kind rule
  [[ -f $file ]] || return 1
  while read -r kind rule; do
    if [[ $rule == "$wanted" ]]; then return 0; fi
  done <"$file"
  return 1
}

wanted_by_other_tier() {
  local file
  for file in "$STATE_DIR"/*.ufw; do
    [[ -e $file && $file != "$STATE_FILE" ]] || continue
    if state_has "$file" "$1"; then return 0; fi
  done
  return 1
}

# Would SSH still get in without this rule? Only a plain reading of the other rules:
# when unsure it says no, and the rule is kept.
ssh_allowed_without() {
  local excluded=$1 line rule pattern=" (port )?$SSH_PORT(/tcp)? "
  if [[ "$(ufw status verbose)" == *"allow (incoming)"* ]]; then return 0; fi
  while IFS= read -r line; do
    rule=\${line%% comment \\'*}
    [[ $rule != "$excluded" ]] || continue
    [[ $rule == "allow "* || $rule == "limit "* ]] || continue
    [[ $rule != "allow out"* && $rule != "limit out"* ]] || continue
    if [[ " $rule " =~ $pattern || $rule == *OpenSSH* ]]; then return 0; fi
  done <<<"$ADDED"
  return 1
}

# Gives up one rule this tier no longer wants, unless someone still needs it.
release_rule() {
  local kind=$1 rule=$2 owner
  owner=$(rule_owner "$rule")
  [[ $owner == ours || $owner == cm-infra ]] || return 0
  if wanted_by_other_tier "$rule"; then
    say "keeping '$rule': another cm-infra tier on this host uses it"
    return 0
  fi
  if [[ $kind == ssh ]] && ufw_is_active && ! ssh_allowed_without "$rule"; then
    say "keeping SSH rule '$rule': it is the only rule that lets SSH in and ufw stays active;" \\
      "remove it by hand once SSH is allowed otherwise: ufw delete $rule comment '$(rule_comment "$rule")'"
    return 0
  fi
  ufw_delete "$rule"
}
`;
