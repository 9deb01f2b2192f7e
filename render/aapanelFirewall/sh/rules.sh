# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# aaPanel host firewall: reading ufw rules as `ufw show added` prints them (which sources
# and ports a rule lets in). Pure functions of their arguments (and ADMIN_SOURCES,
# SSH_PORT, PANEL_PORT, COMMENT, ADDED for exposing_rules): the apply and delete scripts
# use them, and the drift probe runs exposing_rules on the host with the same text, so
# both judge a rule alike.
# An IPv4 address or network as "<number> <prefix length>"; fails for anything else.
ipv4_net() {
  local address=${1%/*} prefix=32 part number=0
  if [[ $1 == */* ]]; then prefix=${1#*/}; fi
  [[ $prefix =~ ^[0-9]{1,2}$ ]] && ((10#$prefix <= 32)) || return 1
  [[ $address =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  local IFS=.
  for part in $address; do
    ((10#$part <= 255)) || return 1
    number=$((number * 256 + 10#$part))
  done
  echo "$number $((10#$prefix))"
}

# Does $1 (any, an address or a network) contain every address of $2 (the same kinds)?
source_contains() {
  local outer inner outer_number outer_prefix inner_number inner_prefix
  [[ $1 == any ]] && return 0
  [[ $2 != any ]] || return 1
  outer=$(ipv4_net "$1") || return 1
  inner=$(ipv4_net "$2") || return 1
  read -r outer_number outer_prefix <<<"$outer"
  read -r inner_number inner_prefix <<<"$inner"
  ((inner_prefix >= outer_prefix)) || return 1
  (((outer_number >> (32 - outer_prefix)) == (inner_number >> (32 - outer_prefix))))
}

# Is port $2 in $1, a comma list of ports and a:b ranges ("" is every port)?
ports_cover() {
  local item items
  [[ -n $1 ]] || return 0
  IFS=, read -ra items <<<"$1"
  for item in "${items[@]}"; do
    if [[ $item == *:* ]]; then
      if ((10#${item%:*} <= $2 && $2 <= 10#${item#*:})); then return 0; fi
    elif ((10#$item == $2)); then
      return 0
    fi
  done
  return 1
}

# Reads one rule (its comment removed) into RULE_ACTION, RULE_INCOMING (no for "out"
# and "route" rules), RULE_SOURCE (any, or what follows "from"), RULE_PORTS (see
# ports_cover), RULE_TCP (no when the rule is for another protocol only) and RULE_PLAIN
# (no when the rule says more than these: an interface, a destination address, a source
# port, an application profile other than OpenSSH; such a rule is not read further).
read_rule() {
  local words i=1 side=to value port_list='^[0-9]+(:[0-9]+)?(,[0-9]+(:[0-9]+)?)*$'
  read -ra words <<<"$1"
  RULE_ACTION=${words[0]:-} RULE_INCOMING=yes RULE_SOURCE=any RULE_PORTS="" RULE_TCP=yes RULE_PLAIN=yes
  if [[ $RULE_ACTION == route || ${words[1]:-} == out ]]; then
    RULE_INCOMING=no
    return 0
  fi
  if [[ ${words[1]:-} == in ]]; then i=2; fi
  case ${words[i]:-} in
    from | to | proto | on | port | app) ;;
    "") RULE_PLAIN=no; return 0 ;;
    *)
      # the short form: a port spec or an application, and nothing after it
      if ((i + 1 != ${#words[@]})); then RULE_PLAIN=no; fi
      value=${words[i]%/tcp}
      if [[ $value == */udp ]]; then value=${value%/udp} RULE_TCP=no; fi
      if [[ $value =~ $port_list ]]; then
        RULE_PORTS=$value
      elif [[ ${words[i]} == OpenSSH ]]; then
        RULE_PORTS=22
      else
        RULE_PLAIN=no
      fi
      return 0
      ;;
  esac
  while ((i < ${#words[@]})); do
    value=${words[i + 1]:-}
    case ${words[i]} in
      from) side=from RULE_SOURCE=$value ;;
      to) side=to; if [[ $value != any ]]; then RULE_PLAIN=no; fi ;;
      port)
        if [[ $side == from || ! $value =~ $port_list ]]; then RULE_PLAIN=no; else RULE_PORTS=$value; fi
        ;;
      proto) if [[ $value != tcp ]]; then RULE_TCP=no; fi ;;
      app) if [[ $value == OpenSSH ]]; then RULE_PORTS=22; else RULE_PLAIN=no; fi ;;
      *) RULE_PLAIN=no; return 0 ;;
    esac
    ((i += 2))
  done
}

# Does rule $1 let a TCP connection to port $2 from address $3 in? A plain reading only;
# with no address ("") only a rule for every source counts.
rule_lets_in() {
  read_rule "$1"
  [[ $RULE_INCOMING == yes && $RULE_PLAIN == yes && $RULE_TCP == yes ]] || return 1
  [[ $RULE_ACTION == allow || $RULE_ACTION == limit ]] || return 1
  ports_cover "$RULE_PORTS" "$2" || return 1
  if [[ -z $3 ]]; then [[ $RULE_SOURCE == any ]]; else source_contains "$RULE_SOURCE" "$3"; fi
}

admin_sources_contain() {
  local admin
  for admin in "${ADMIN_SOURCES[@]}"; do
    if source_contains "$admin" "$1"; then return 0; fi
  done
  return 1
}

# Prints how rule $1 lets port $2 in from beyond the admin sources; fails when it does not.
# A rule that is not plain is named when it mentions the port at all.
rule_exposes() {
  read_rule "$1"
  [[ $RULE_INCOMING == yes && $RULE_TCP == yes ]] || return 1
  [[ $RULE_ACTION == allow || $RULE_ACTION == limit ]] || return 1
  if [[ $RULE_PLAIN == no ]]; then
    local spaced=" ${1//[\/,:]/ } "
    [[ $spaced == *" $2 "* ]] || return 1
    echo "may let $2 in (not read: check it)"
    return 0
  fi
  ports_cover "$RULE_PORTS" "$2" || return 1
  if admin_sources_contain "$RULE_SOURCE"; then return 1; fi
  echo "lets $2 in from $RULE_SOURCE"
}

# Rules other than ours that let SSH or the panel in from beyond the admin sources, one
# "<rule as listed>\t<why>" line each.
exposing_rules() {
  local line port why
  while IFS= read -r line; do
    [[ -n $line && $line != *" comment '$COMMENT'" ]] || continue
    for port in "$SSH_PORT" "$PANEL_PORT"; do
      if why=$(rule_exposes "${line%% comment \'*}" "$port"); then printf '%s\t%s\n' "$line" "$why"; fi
    done
  done <<<"$ADDED"
}
