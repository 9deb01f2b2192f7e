# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# aaPanel host firewall, shared by the apply and delete scripts: who holds a rule, the
# per-tier record, releasing a rule. Logging and the lock are the prelude's
# (render/shell/prelude.sh); reading ufw and the summary are the part both hosts' firewalls
# share (render/shell/firewallShared.sh); the records folder is the Flask host firewall's
# too, so each side sees which rules the other still wants.
readonly RECORD="$STATE_DIR/aapanel-$TIER.ufw"

preflight() {
  [[ $EUID -eq 0 ]] || die "must run as root: ufw needs it"
  local tool
  for tool in ufw iptables flock sha256sum cmp; do
    command -v "$tool" >/dev/null || die "$tool not found; install the ufw package"
  done
}

# One run at a time on the host (lock_host), then what a killed run may have left.
take_lock() {
  lock_host
  rm -f "$RECORD.tmp"
  resume_interrupted_ufw
  read_ufw_state
}

input_policy() { sed -n 's/^DEFAULT_INPUT_POLICY="\{0,1\}\([A-Z]*\)"\{0,1\}$/\1/p' "$UFW_DEFAULTS" 2>/dev/null | tail -n 1; }

# Who holds rule $1, in OWNER: absent, ours (our comment), cm-infra (another cm-infra
# comment: the Flask host's firewall on the same host), or other (the panel, the
# operator). ufw counts a rule that differs only in its action (deny 80/tcp) as the same
# rule and would rewrite it on an add, so such a line is found too: OWNER_LINE is the
# line as listed, OWNER_RULE that line without its comment.
OWNER="" OWNER_LINE="" OWNER_RULE=""
rule_owner() {
  local line bare
  fresh_added
  OWNER=absent OWNER_LINE="" OWNER_RULE=""
  while IFS= read -r line; do
    bare=${line%% comment \'*}
    [[ ${bare#* } == "${1#* }" ]] || continue
    OWNER_LINE=$line OWNER_RULE=$bare
    if [[ $line == "$bare" ]]; then
      OWNER=other
      return 0
    fi
    case ${line#"$bare comment '"} in
      "$COMMENT'") OWNER=ours ;;
      "$COMMENT_PREFIX"*) OWNER=cm-infra ;;
      *) OWNER=other ;;
    esac
    return 0
  done <<<"$ADDED"
}

# Is listed rule $1 for IPv6 addresses only (an IPv6 address after from or to)?
v6_only_rule() {
  local words i
  read -ra words <<<"${1%% comment \'*}"
  for ((i = 1; i < ${#words[@]}; i++)); do
    if [[ ${words[i - 1]} == from || ${words[i - 1]} == to ]] && [[ ${words[i]} == *:* ]]; then return 0; fi
  done
  return 1
}

# Adds rule $1 with our comment; $2 is the line ufw rewrites instead (the same rule with
# another action, rule_owner's OWNER_LINE). ADDED follows ufw (backend_iptables.py
# set_rule, frontend.py get_show_added): a rewrite keeps the line's place; a new rule goes
# to the end of ufw's IPv4 list (and of its IPv6 list, when for any address), and the
# IPv4 list is printed first, so it shows up before the first IPv6-only rule.
ufw_add() {
  local words line new="$1 comment '$COMMENT'" old=${2:-} placed=no list=""
  read -ra words <<<"$1"
  run_ufw "${words[@]}" comment "$COMMENT"
  # an IPv6-only rule of ours goes last: never placed inside the list
  if [[ -z $old ]] && v6_only_rule "$1"; then placed=last; fi
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    if [[ $placed == no ]]; then
      if [[ -n $old && $line == "$old" ]]; then
        line=$new placed=yes
      elif [[ -z $old ]] && v6_only_rule "$line"; then
        list+="${list:+$'\n'}$new"
        placed=yes
      fi
    fi
    list+="${list:+$'\n'}$line"
  done <<<"$ADDED"
  if [[ $placed != yes ]]; then list+="${list:+$'\n'}$new"; fi
  ADDED=$list
  # a line to rewrite that ADDED did not hold: ufw knows better
  if [[ -n $old && $placed != yes ]]; then ADDED_STALE=yes; fi
}

# ufw deletes only with the comment the rule carries, and says "Could not delete
# non-existent rule" with status 0 when it finds none: run_ufw then has the list read
# again, and the rule must be gone from it.
ufw_delete_held() {
  local words line list="" comment=${OWNER_LINE#"$OWNER_RULE comment '"}
  read -ra words <<<"$OWNER_RULE"
  run_ufw delete "${words[@]}" comment "${comment%\'}"
  while IFS= read -r line; do
    if [[ -n $line && $line != "$OWNER_LINE" ]]; then list+="${list:+$'\n'}$line"; fi
  done <<<"$ADDED"
  ADDED=$list
  rule_owner "$OWNER_RULE"
  [[ $OWNER == absent ]] || die "ufw did not delete '$OWNER_RULE'"
}

# Record lines are "<kind> <rule>" (kind ssh, panel or web), like the Flask host's.
RECORDED=()
read_record() {
  local line
  RECORDED=()
  [[ -f $RECORD ]] || return 0
  while IFS= read -r line; do
    if [[ -n $line ]]; then RECORDED+=("$line"); fi
  done <"$RECORD"
}

write_record() {
  mkdir -p "$STATE_DIR"
  if (($# == 0)); then
    rm -f "$RECORD"
    return 0
  fi
  if ! printf '%s\n' "$@" 2>/dev/null >"$RECORD.tmp"; then
    rm -f "$RECORD.tmp"
    die "cannot write $RECORD.tmp (is the disk full?)"
  fi
  if cmp -s "$RECORD.tmp" "$RECORD"; then rm -f "$RECORD.tmp"; else mv -f "$RECORD.tmp" "$RECORD"; fi
}

# Does another owner's record on this host (another tier, or the Flask host's firewall)
# still want rule $1?
wanted_elsewhere() {
  local file kind rule
  for file in "$STATE_DIR"/*.ufw; do
    [[ -e $file && $file != "$RECORD" ]] || continue
    while read -r kind rule; do
      if [[ $rule == "$1" ]]; then return 0; fi
    done <"$file"
  done
  return 1
}

# The address this run's SSH session comes from ("" when not over SSH).
deployer_address() {
  local client=${SSH_CLIENT:-}
  client=${client%% *}
  printf '%s' "${client#::ffff:}"
}

# Would SSH still let this deploy's address in without rule $1 (as ufw will then stand)?
ssh_open_without() {
  local line address
  if ! ufw_will_be_active || [[ "$(input_policy)" == ACCEPT ]]; then return 0; fi
  address=$(deployer_address)
  while IFS= read -r line; do
    line=${line%% comment \'*}
    [[ $line != "$1" ]] || continue
    if rule_lets_in "$line" "$SSH_PORT" "$address"; then return 0; fi
  done <<<"$ADDED"
  return 1
}

# Gives up one rule of this tier's, unless another owner wants it or SSH needs it; the
# rules this tier keeps that way go to KEPT, so the record goes on naming them.
KEPT=()
release_rule() {
  local kind=$1 rule=$2 address
  rule_owner "$rule"
  [[ $OWNER == ours || $OWNER == cm-infra ]] || return 0
  # rewritten by someone (another action): theirs now
  [[ $OWNER_RULE == "$rule" ]] || return 0
  if wanted_elsewhere "$rule"; then
    say "keeping '$rule': another cm-infra owner on this host wants it"
    return 0
  fi
  if [[ $kind == ssh ]] && ! ssh_open_without "$rule"; then
    address=$(deployer_address)
    say "keeping SSH rule '$rule': without it ufw would not let this deploy's address (${address:-unknown}) reach SSH;" \
      "remove it by hand once SSH is allowed otherwise: ufw delete $OWNER_LINE"
    KEPT+=("$kind $rule")
    return 0
  fi
  ufw_delete_held
}

# Everything a run can change here; equal before and after means "unchanged" (summarize_run).
fingerprint() {
  {
    printf 'ufw active: %s\n%s\n' "$UFW_ACTIVE" "$ADDED"
    cat "$RECORD" 2>/dev/null || true
  } | sha256sum
}
