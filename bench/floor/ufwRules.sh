# Shared by both floor scripts (test/bench/floor.ts puts it in front of each): the fewest
# ufw calls that add commented rules, since ufw starts Python on every call: one `ufw show
# added`, one call per missing rule, one enable.
# add_ufw_rules <comment> <rule>...
add_ufw_rules() {
  local comment=$1 added rule words
  shift
  added=$(ufw show added)
  for rule in "$@"; do
    if ! grep -qxF "ufw $rule comment '$comment'" <<<"$added"; then
      read -ra words <<<"$rule"
      ufw "${words[@]}" comment "$comment" >/dev/null
    fi
  done
  # What `ufw status` itself checks to say "active": its chains are loaded.
  if ! iptables -w 30 -n -L ufw-user-input >/dev/null 2>&1; then
    ufw --force enable >/dev/null
  fi
}
