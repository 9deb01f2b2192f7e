#!/usr/bin/env bash
# The floor for one tier's firewall work (npm run bench, test/bench/floor.ts): the same
# fragment file, after.rules block, live DOCKER-USER rules and commented ufw rules as
# cm-infra's firewall script, in one bash on one SSH session, with as few processes as the
# work allows (ufw starts Python on every call, so: one `ufw show added`, one call per
# missing rule, one enable). No ownership, no state for destroy, no checks before
# writing: a lower bound, not a tool.
#
# The bench puts the values in front, as bash assignments: TIER FRAGMENT_FILE FRAGMENT
# AFTER_RULES BLOCK_BEGIN BLOCK_END BLOCK_BODY LOCK_FILE COMMENT UFW_RULES (array); and
# add_ufw_rules (ufwRules.sh).
set -euo pipefail

mkdir -p "${LOCK_FILE%/*}"
exec 9>"$LOCK_FILE"
flock 9

block_changed=no
if [[ ! -f $FRAGMENT_FILE || "$(<"$FRAGMENT_FILE")" != "$FRAGMENT" ]]; then
  mkdir -p "${FRAGMENT_FILE%/*}"
  printf '%s\n' "$FRAGMENT" >"$FRAGMENT_FILE.tmp"
  mv -f "$FRAGMENT_FILE.tmp" "$FRAGMENT_FILE"
fi

block=$(printf '%s\n%s\n%s' "$BLOCK_BEGIN" "$BLOCK_BODY" "$BLOCK_END")
new_rules=$(mktemp "$AFTER_RULES.floor.XXXXXX")
{
  awk -v b="$BLOCK_BEGIN" -v e="$BLOCK_END" '$0 == b { skip = 1; next } $0 == e { skip = 0; next } !skip' "$AFTER_RULES"
  printf '%s\n' "$block"
} >"$new_rules"
if cmp -s "$new_rules" "$AFTER_RULES"; then
  rm -f "$new_rules"
else
  chmod --reference="$AFTER_RULES" "$new_rules"
  mv -f "$new_rules" "$AFTER_RULES"
  block_changed=yes
fi
if [[ $block_changed == yes ]] || ! iptables -C DOCKER-USER -j "cm-infra-$TIER" 2>/dev/null; then
  printf '%s\n' "$block" | iptables-restore --noflush
fi

add_ufw_rules "$COMMENT" "${UFW_RULES[@]}"
