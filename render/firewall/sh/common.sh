# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall, shared by the apply and delete scripts: logging, preflight, the
# host-wide lock, the "unchanged" fingerprint. Per-tier values and paths come from the
# header render/firewall/scripts.ts writes in front of it.
readonly COMMENT="$COMMENT_PREFIX$TIER"
readonly FRAGMENT_FILE="$FRAGMENT_DIR/$TIER.rules"
readonly STATE_FILE="$STATE_DIR/$TIER.ufw"
# The live DOCKER-USER/chain rules as last loaded; a mismatch means someone changed them.
readonly SNAPSHOT="$STATE_DIR/live-rules"

# Every error says whether anything was changed; the first change clears it.
OUTCOME="nothing was changed"
say() { printf 'cm-infra firewall %s: %s\n' "$TIER" "$*"; }
die() { printf 'cm-infra firewall %s: ERROR: %s\n' "$TIER" "$*${OUTCOME:+; $OUTCOME}" >&2; exit 1; }

preflight() {
  [[ $EUID -eq 0 ]] || die "must run as root: ufw and iptables need it"
  local tool
  for tool in ufw iptables iptables-save iptables-restore flock sha256sum awk; do
    command -v "$tool" >/dev/null || die "$tool not found; install the ufw and iptables packages"
  done
  [[ -f $AFTER_RULES ]] || die "$AFTER_RULES is missing; is ufw installed?"
}

# Two tiers on one host share after.rules, DOCKER-USER and ufw: one run at a time. The
# lock is a flock on fd 9, which the kernel drops when the holder dies (SIGKILL, a lost
# session), so a killed run never leaves a lock behind.
take_lock() {
  mkdir -p "${LOCK_FILE%/*}"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another cm-infra firewall run held $LOCK_FILE for 120 s"
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

# Rules as `ufw show added` prints them, without the leading "ufw ".
added_rules() { ufw show added | sed -n 's/^ufw //p'; }

# Every ufw call starts Python (about 0.3 s, seconds on a busy host), so a run calls ufw
# once to read its state and then only to change it: the rule list is read into ADDED
# under the lock, and our own adds and deletes update ADDED as ufw updates its list
# (ufw_add, ufw_delete), so nothing is read twice. Only a ufw answer we did not expect
# (ADDED_STALE) makes the next use read the list again.
ADDED=""
ADDED_STALE=no
UFW_ACTIVE=no
refresh_added() {
  ADDED=$(added_rules)
  ADDED_STALE=no
}
fresh_added() { if [[ $ADDED_STALE == yes ]]; then refresh_added; fi; }
# Active is what `ufw status` itself checks (ufw's backend_iptables.py get_status): ufw's
# user chains are loaded; iptables exits 1 for a missing chain, anything else is an error.
# iptables answers without starting Python; -w waits out dockerd holding the xtables lock.
ufw_chains_loaded() {
  local chain status
  for chain in ufw-user-input ufw-user-output ufw-user-forward; do
    iptables -w 30 -n -L "$chain" >/dev/null 2>&1 && continue
    status=$?
    [[ $status == 1 ]] && return 1
    die "iptables could not list $chain (exit $status), so whether ufw is active is unknown"
  done
}
read_ufw_state() {
  refresh_added
  if ufw_chains_loaded; then UFW_ACTIVE=yes; fi
}
ufw_is_active() { [[ $UFW_ACTIVE == yes ]]; }

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
    printf 'ufw active: %s\n%s\n' "$UFW_ACTIVE" "$ADDED"
    managed_live_rules
  } | sha256sum
}

summary() {
  fresh_added
  if [[ $1 == "$(fingerprint)" && $UFW_RESUMED == no ]]; then say unchanged; else say changed; fi
}

