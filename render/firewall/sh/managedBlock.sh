# shellcheck shell=bash disable=SC2034,SC2153 # one part of a script: what it sets, the other parts use
# Flask host firewall: the generated block in /etc/ufw/after.rules, and loading it into
# the running firewall.
# Persistence design. ufw-init loads /etc/ufw/after.rules with iptables-restore
# --noflush at boot (before dockerd starts) and on every `ufw reload`, so rules kept
# there are in place before any container is published and come back after a reload.
# dockerd keeps DOCKER-USER's content when it restarts. The block must declare
# DOCKER-USER: at boot the chain does not exist yet, and an "-A DOCKER-USER" without
# it would make the whole file, and so all of ufw's start, fail. A declared chain is
# flushed by iptables-restore, which makes the block idempotent, but also means that
# one block per tier would wipe the other tiers' jumps on each reload. So each tier
# writes only its own fragment (/etc/cm-infra/firewall.d/<tier>.rules) and one block
# is rebuilt from all fragments under the host-wide lock. DOCKER-USER belongs to this
# block: an operator's own DOCKER-USER rules go in another *.rules file there.
#
# The block is built from the fragment files in the order the glob gives them. Before
# anything is renamed into place, this tier's fragment is its temp file (or left out).
FRAGMENTS=()
fragments_with_ours() { # fragments_with_ours <this tier's fragment as it will be, or empty>
  local file placed=no
  FRAGMENTS=()
  for file in "$FRAGMENT_DIR"/*.rules; do
    if [[ ! -e $file || $file == "$FRAGMENT_FILE" ]]; then continue; fi
    if [[ $placed == no && -n $1 && $FRAGMENT_FILE < $file ]]; then
      FRAGMENTS+=("$1")
      placed=yes
    fi
    FRAGMENTS+=("$file")
  done
  if [[ $placed == no && -n $1 ]]; then FRAGMENTS+=("$1"); fi
}

render_block() {
  if [[ ${#FRAGMENTS[@]} -eq 0 ]]; then return 0; fi
  printf '%s\n' "$BLOCK_BEGIN" '*filter' ':DOCKER-USER - [0:0]'
  grep -h '^:' "${FRAGMENTS[@]}"
  grep -h '^-A' "${FRAGMENTS[@]}"
  printf '%s\n' 'COMMIT' "$BLOCK_END"
}

check_block_markers() {
  local begins ends
  begins=$(grep -cxF -- "$BLOCK_BEGIN" "$AFTER_RULES" || true)
  ends=$(grep -cxF -- "$BLOCK_END" "$AFTER_RULES" || true)
  [[ $begins == "$ends" && $begins -le 1 ]] ||
    die "$AFTER_RULES has $begins begin and $ends end markers of the cm-infra block; fix it by hand"
}

after_rules_without_block() {
  awk -v b="$BLOCK_BEGIN" -v e="$BLOCK_END" '$0 == b { skip = 1; next } $0 == e { skip = 0; next } !skip' "$AFTER_RULES"
}

# Writes the new after.rules beside the old one when the block differs; sets NEW_AFTER_RULES
# (empty when nothing changes). Nothing live changes here.
NEW_AFTER_RULES=""
prepare_block() { # prepare_block <this tier's fragment as it will be, or empty>
  check_block_markers
  local block
  fragments_with_ours "$1"
  block=$(render_block)
  if [[ -n $block ]]; then
    # a broken after.rules would stop ufw from starting at the next boot
    printf '%s\n' "$block" | iptables-restore --test --noflush ||
      die "iptables-restore --test rejected the generated block; $AFTER_RULES left as it was"
  fi
  write_beside "$AFTER_RULES" "${AFTER_RULES##*/}.cm-infra.XXXXXX" < <(
    after_rules_without_block
    if [[ -n $block ]]; then printf '%s\n' "$block"; fi
  )
  if cmp -s "$TEMP_FILE" "$AFTER_RULES"; then
    rm -f "$TEMP_FILE"
    return 0
  fi
  chmod --reference="$AFTER_RULES" "$TEMP_FILE"
  chown --reference="$AFTER_RULES" "$TEMP_FILE"
  NEW_AFTER_RULES=$TEMP_FILE
}

# Sets BLOCK_CHANGED=1 when it did rename a new after.rules into place.
BLOCK_CHANGED=0
install_block() {
  [[ -n $NEW_AFTER_RULES ]] || return 0
  OUTCOME=""
  mv -f "$NEW_AFTER_RULES" "$AFTER_RULES"
  BLOCK_CHANGED=1
  say "rewrote the cm-infra block in $AFTER_RULES"
}

# Loads the block as ufw-init would (iptables-restore --noflush) instead of a full
# `ufw reload`: same result for our chains, without re-creating all of ufw's. One
# iptables-restore commits DOCKER-USER and every tier chain at once: at no moment does a
# web port go unfiltered. The snapshot names the block it loaded, so a run killed between
# rewriting after.rules and loading it is finished by the next run.
load_block_live() {
  local block loaded ours=""
  if [[ -e $FRAGMENT_FILE ]]; then ours=$FRAGMENT_FILE; fi
  fragments_with_ours "$ours"
  block=$(render_block)
  if [[ -z $block ]]; then
    rm -f "$SNAPSHOT"
    return 0
  fi
  loaded="block $(printf '%s\n' "$block" | sha256sum | cut -d' ' -f1)"
  if [[ $BLOCK_CHANGED == 0 && -f $SNAPSHOT && "$(<"$SNAPSHOT")" == "$loaded"$'\n'"$(managed_live_rules)" ]]; then
    return 0
  fi
  OUTCOME=""
  printf '%s\n' "$block" | iptables-restore --noflush
  say "loaded the DOCKER-USER rules into the running firewall"
  if ! { mkdir -p "$STATE_DIR" && printf '%s\n%s\n' "$loaded" "$(managed_live_rules)" >"$SNAPSHOT.tmp" &&
    mv -f "$SNAPSHOT.tmp" "$SNAPSHOT"; } 2>/dev/null; then
    warn "could not record the loaded rules in $SNAPSHOT; the next run loads them again"
  fi
}

