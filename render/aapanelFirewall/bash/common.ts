// (In this template "\\${" is bash's own "${", escaped for TypeScript.)
/**
 * Shared by the apply and delete scripts on the aaPanel host: logging, the host-wide lock,
 * reading ufw once per change, who holds a rule, the per-tier record, releasing a rule.
 * Written for this host on its own (nothing is sourced from the Flask host's scripts);
 * the lock and the records folder are the same, so both kinds of runs take turns.
 */
export const AAPANEL_COMMON_BASH = `readonly RECORD="$STATE_DIR/aapanel-$TIER.ufw"

# Every error says whether anything was changed; the first change clears it.
OUTCOME="nothing was changed"
say() { printf 'cm-infra aapanel firewall %s: %s\\n' "$TIER" "$*"; }
warn() { printf 'cm-infra aapanel firewall %s: warning: %s\\n' "$TIER" "$*" >&2; }
die() { printf 'cm-infra aapanel firewall %s: ERROR: %s\\n' "$TIER" "$*\${OUTCOME:+; $OUTCOME}" >&2; exit 1; }

preflight() {
  [[ $EUID -eq 0 ]] || die "must run as root: ufw needs it"
  local tool
  for tool in ufw flock sha256sum cmp; do
    command -v "$tool" >/dev/null || die "$tool not found; install the ufw package"
  done
}

# All cm-infra firewall runs on a host (any tier, either host role) take turns on ufw.
# The kernel drops the flock when its holder dies, so a killed run leaves no lock.
take_lock() {
  mkdir -p "\${LOCK_FILE%/*}"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another cm-infra firewall run held $LOCK_FILE for 120 s"
  rm -f "$RECORD.tmp"
  refresh_added
  if [[ "$(ufw status)" == "Status: active"* ]]; then UFW_ACTIVE=yes; fi
}

# Rules as \`ufw show added\` prints them, without "ufw "; read again only after our own
# ufw commands changed them (every ufw call starts Python: about 0.3 s).
ADDED=""
ADDED_STALE=no
UFW_ACTIVE=no
refresh_added() {
  ADDED=$(ufw show added | sed -n 's/^ufw //p')
  ADDED_STALE=no
}
fresh_added() { if [[ $ADDED_STALE == yes ]]; then refresh_added; fi; }
ufw_is_active() { [[ $UFW_ACTIVE == yes ]]; }

input_policy() { sed -n 's/^DEFAULT_INPUT_POLICY="\\{0,1\\}\\([A-Z]*\\)"\\{0,1\\}$/\\1/p' "$UFW_DEFAULTS" 2>/dev/null | tail -n 1; }

run_ufw() {
  local output
  OUTCOME=""
  output=$(ufw "$@" </dev/null 2>&1) || die "ufw $* failed: $output"
  say "ufw $*: \${output//$'\\n'/; }"
  ADDED_STALE=yes
}

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
    bare=\${line%% comment \\'*}
    [[ \${bare#* } == "\${1#* }" ]] || continue
    OWNER_LINE=$line OWNER_RULE=$bare
    if [[ $line == "$bare" ]]; then
      OWNER=other
      return 0
    fi
    case \${line#"$bare comment '"} in
      "$COMMENT'") OWNER=ours ;;
      "$COMMENT_PREFIX"*) OWNER=cm-infra ;;
      *) OWNER=other ;;
    esac
    return 0
  done <<<"$ADDED"
}

ufw_add() {
  local words
  read -ra words <<<"$1"
  run_ufw "\${words[@]}" comment "$COMMENT"
}

# ufw deletes only with the comment the rule carries, and says "Could not delete
# non-existent rule" with status 0 when it finds none: check it is gone.
ufw_delete_held() {
  local words comment=\${OWNER_LINE#"$OWNER_RULE comment '"}
  read -ra words <<<"$OWNER_RULE"
  run_ufw delete "\${words[@]}" comment "\${comment%\\'}"
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
  if ! printf '%s\\n' "$@" 2>/dev/null >"$RECORD.tmp"; then
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
  local client=\${SSH_CLIENT:-}
  client=\${client%% *}
  printf '%s' "\${client#::ffff:}"
}

# Would SSH still let this deploy's address in without rule $1 (as ufw will then stand)?
ssh_open_without() {
  local line address
  if ! ufw_will_be_active || [[ "$(input_policy)" == ACCEPT ]]; then return 0; fi
  address=$(deployer_address)
  while IFS= read -r line; do
    line=\${line%% comment \\'*}
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
    say "keeping SSH rule '$rule': without it ufw would not let this deploy's address (\${address:-unknown}) reach SSH;" \\
      "remove it by hand once SSH is allowed otherwise: ufw delete $OWNER_LINE"
    KEPT+=("$kind $rule")
    return 0
  fi
  ufw_delete_held
}

fingerprint() {
  {
    printf 'ufw active: %s\\n%s\\n' "$UFW_ACTIVE" "$ADDED"
    cat "$RECORD" 2>/dev/null || true
  } | sha256sum
}

summary() {
  fresh_added
  if [[ $1 == "$(fingerprint)" ]]; then say unchanged; else say changed; fi
}
`;
