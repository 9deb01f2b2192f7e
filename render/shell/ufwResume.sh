# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Shared by both hosts' firewall scripts (they share STATE_DIR and the lock). ufw writes
# its rule files first and changes the live chains after, and a delete reloads its user
# chains by flushing them before it restores them (ufw's backend_iptables.py set_rule and
# _reload_user_rules): a run killed inside a ufw call can leave the live rules short of
# what `ufw show added` lists, SSH's allow rule included, and every later run would trust
# that list. So a marker is written before our first ufw change and removed after the
# last, and a run that finds it reloads ufw from its files before reading anything.
# Needs say, die, OUTCOME and STATE_DIR from the script around it.
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
