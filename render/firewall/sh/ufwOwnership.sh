# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall: which ufw rules are ours, adding and releasing them without
# touching anyone else's.
# Prints who holds a rule: absent, ours, cm-infra (another tier) or operator.
rule_owner() {
  local rule=$1 line
  while IFS= read -r line; do
    if [[ $line == "$rule" ]]; then
      echo operator
      return
    fi
    if [[ $line == "$rule comment '"* ]]; then
      case ${line#"$rule comment '"} in
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
      line=${line#"$rule comment '"}
      printf '%s\n' "${line%\'}"
      return
    fi
  done <<<"$ADDED"
}

# ufw appends a new rule to its list and prints it as written here (ufwRules.ts), so the
# list is updated in place instead of read again.
ufw_add() {
  local words
  read -ra words <<<"$1"
  run_ufw "${words[@]}" comment "$COMMENT"
  ADDED+="${ADDED:+$'\n'}$1 comment '$COMMENT'"
}

ufw_delete() {
  local words comment line kept=""
  read -ra words <<<"$1"
  comment=$(rule_comment "$1")
  [[ -n $comment ]] || return 0
  run_ufw delete "${words[@]}" comment "$comment"
  while IFS= read -r line; do
    if [[ $line != "$1 comment '$comment'" ]]; then kept+="${kept:+$'\n'}$line"; fi
  done <<<"$ADDED"
  ADDED=$kept
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

# What `ufw status verbose` prints as "allow (incoming)", read as ufw reads it (backend.py
# _get_defaults: KEY=value lines of /etc/default/ufw, then ufw.conf, the last one wins,
# lower-cased and unquoted) without starting Python.
default_input_accepts() {
  local policy
  policy=$(awk -F= '/^[A-Za-z0-9_]+="?[A-Za-z0-9_]+"?/ && toupper($1) == "DEFAULT_INPUT_POLICY" { policy = tolower($2) }
    END { gsub(/["\x27]/, "", policy); print policy }' /etc/default/ufw /etc/ufw/ufw.conf 2>/dev/null || true)
  [[ $policy == accept ]]
}

# Would SSH still get in without this rule? Only a plain reading of the other rules:
# when unsure it says no, and the rule is kept.
ssh_allowed_without() {
  local excluded=$1 line rule pattern=" (port )?$SSH_PORT(/tcp)? "
  if default_input_accepts; then return 0; fi
  while IFS= read -r line; do
    rule=${line%% comment \'*}
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
    say "keeping SSH rule '$rule': it is the only rule that lets SSH in and ufw stays active;" \
      "remove it by hand once SSH is allowed otherwise: ufw delete $rule comment '$(rule_comment "$rule")'"
    return 0
  fi
  ufw_delete "$rule"
  # the next release asks whether SSH still gets in without its rule: it needs this one gone
  fresh_added
}
