# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Shared by both hosts' firewall scripts (the Flask host's and the aaPanel host's): reading
# ufw once per run, running ufw, repairing a run killed inside ufw, and the summary line.
# They share STATE_DIR and the lock file (the prelude's lock_host), so when one host is
# both, their runs take turns on ufw, after.rules and DOCKER-USER. Needs the prelude's say,
# die, summarize and OUTCOME, STATE_DIR, and the family's fingerprint.

# Rules as `ufw show added` prints them, without "ufw ". Every ufw call starts Python
# (about 0.3 s, seconds on a busy host), so a run calls ufw once to read its state and
# then only to change it: the list is read into ADDED under the lock, and our own adds
# and deletes update ADDED as ufw updates its list. Only a ufw answer we did not expect
# (ADDED_STALE) makes the next use read the list again.
ADDED=""
ADDED_STALE=no
UFW_ACTIVE=no
refresh_added() {
  ADDED=$(ufw show added | sed -n 's/^ufw //p')
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

# Every ufw change goes through here. ufw answers "Skipping ..." or "Could not delete
# non-existent rule" when its list was not what ADDED says (changed outside the lock, or a
# half-done IPv6 copy): the list is read again before it is used.
run_ufw() {
  local output
  ufw_changing
  OUTCOME=""
  output=$(ufw "$@" </dev/null 2>&1) || die "ufw $* failed: $output"
  say "ufw $*: ${output//$'\n'/; }"
  if [[ $output == *Skipping* || $output == *non-existent* ]]; then ADDED_STALE=yes; fi
}

# ufw is not atomic: it writes its rule files first and changes the live chains after (an
# add runs iptables -A, a delete reloads its user rules with one iptables-restore; ufw's
# backend_iptables.py set_rule and _reload_user_rules). A run killed in between leaves the
# live rules apart from what `ufw show added` lists, and every later run would trust that
# list. So a marker is written before our first ufw change and removed after the last, and
# a run that finds it reloads ufw from its files before reading anything.
readonly UFW_PENDING="$STATE_DIR/ufw-change-pending"
UFW_RESUMED=no

resume_interrupted_ufw() {
  local output
  [[ -e $UFW_PENDING ]] || return 0
  OUTCOME=""
  output=$(ufw reload </dev/null 2>&1) ||
    die "an earlier run was cut short while changing ufw, and ufw reload failed: $output"
  UFW_RESUMED=yes
  say "an earlier run was cut short while changing ufw; reloaded ufw from its files: ${output//$'\n'/; }"
}

ufw_changing() {
  [[ ! -e $UFW_PENDING ]] || return 0
  { mkdir -p "$STATE_DIR" && : >"$UFW_PENDING"; } 2>/dev/null ||
    die "cannot write $UFW_PENDING (is the disk full?)"
}

ufw_changes_done() { rm -f "$UFW_PENDING"; }

# The run's summary: "unchanged" when everything fingerprint reads is as it was when the
# run took the lock (and no killed run had to be repaired), else "changed".
summarize_run() { # summarize_run <fingerprint taken under the lock>
  fresh_added
  if [[ $1 == "$(fingerprint)" && $UFW_RESUMED == no ]]; then summarize unchanged; else summarize changed; fi
}
