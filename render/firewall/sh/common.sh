# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall, shared by the apply and delete scripts: preflight, taking the lock,
# writing beside, the "unchanged" fingerprint. Logging and the lock itself are the
# prelude's (render/shell/prelude.sh); reading ufw and the summary are the part both
# firewalls share (render/shell/firewallShared.sh); per-tier values and paths are the
# readonly variables render/firewall/scripts.ts renders.
readonly COMMENT="$COMMENT_PREFIX$TIER"
readonly FRAGMENT_FILE="$FRAGMENT_DIR/$TIER.rules"
readonly STATE_FILE="$STATE_DIR/$TIER.ufw"
# The live DOCKER-USER/chain rules as last loaded; a mismatch means someone changed them.
readonly SNAPSHOT="$STATE_DIR/live-rules"

preflight() {
  [[ $EUID -eq 0 ]] || die "must run as root: ufw and iptables need it"
  local tool
  for tool in ufw iptables iptables-save iptables-restore flock sha256sum awk; do
    command -v "$tool" >/dev/null || die "$tool not found; install the ufw and iptables packages"
  done
  [[ -f $AFTER_RULES ]] || die "$AFTER_RULES is missing; is ufw installed?"
}

# One run at a time on the host (lock_host), then what a killed run may have left.
take_lock() {
  lock_host
  # Temp files a killed run left: not *.rules, so nothing ever loaded them; none is in
  # use while we hold the lock.
  remove_temp_files 2>/dev/null || true
  resume_interrupted_ufw
  read_ufw_state
  # a run that fails half-way must not leave its temporary copies behind
  trap remove_temp_files EXIT
}

remove_temp_files() {
  rm -f "$AFTER_RULES".cm-infra.* "$FRAGMENT_DIR"/.cm-infra-tmp.* "$FRAGMENT_FILE.tmp" "$STATE_FILE.tmp" "$SNAPSHOT.tmp"
}

# A temp file beside <file> (same folder, so mv is an atomic rename) holding stdin; sets
# TEMP_FILE. A full or read-only folder fails here, with the system's reason.
write_beside() { # write_beside <file> <template name>
  local folder=${1%/*} output
  if ! output=$(mkdir -p "$folder" 2>&1 && mktemp "$folder/$2" 2>&1); then
    die "cannot create a file in $folder: ${output##*: }"
  fi
  TEMP_FILE=$output
  if ! cat >"$TEMP_FILE" 2>/dev/null; then die "cannot write in $folder (is the disk full?)"; fi
}

# Live rules our block manages. Docker's own "-j RETURN", re-added when dockerd
# restarts, is left out on purpose: it changes nothing we rely on.
managed_live_rules() {
  iptables-save -t filter | grep -E '^-A (DOCKER-USER -j cm-infra-|cm-infra-)' || true
}

# Everything an apply can change; equal before and after means "unchanged" (summarize_run).
fingerprint() {
  {
    cat "$AFTER_RULES"
    cat "$FRAGMENT_DIR"/*.rules 2>/dev/null || true
    cat "$STATE_DIR"/*.ufw 2>/dev/null || true
    printf 'ufw active: %s\n%s\n' "$UFW_ACTIVE" "$ADDED"
    managed_live_rules
  } | sha256sum
}

