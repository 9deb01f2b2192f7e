// (In this template "\\${" is bash's own "${", escaped for TypeScript.)
/**
 * Shared by the apply and delete scripts: logging, preflight, the host-wide lock, the
 * "unchanged" fingerprint. Paths and per-tier values come from the header scripts.ts
 * renders in front of it.
 */
export const FIREWALL_COMMON_BASH = `readonly COMMENT="$COMMENT_PREFIX$TIER"
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
  # a run that fails half-way must not leave its temporary copies behind
  trap 'rm -f "$AFTER_RULES".cm-infra.* "$FRAGMENT_FILE.tmp" "$STATE_FILE.tmp"' EXIT
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

`;
