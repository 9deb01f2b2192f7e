#!/usr/bin/env bash
# The floor for one tier's work on the aaPanel host (npm run bench, test/bench/floor.ts):
# the same commented ufw rules as cm-infra's aaPanel firewall script (one `ufw show added`,
# one call per missing rule, one enable), and the same htpasswd file and nginx files as
# its htpasswd and edge-site scripts, in one bash on one SSH session: write what differs,
# reload only then (the reload command tests the configuration first). No ownership
# records, no staging, no rollback, no manifest: a lower bound, not a tool.
#
# The bench puts the values in front, as bash assignments: UFW_RULES (array, may be
# empty) UFW_COMMENT LOCK_FILE HTPASSWD_DIR HTPASSWD_FILE HTPASSWD_GROUP RELOAD_COMMAND
# FILE_PATHS FILE_CONTENTS (arrays, same order); the htpasswd line comes on stdin; and
# add_ufw_rules (ufwRules.sh).
set -euo pipefail
umask 022
IFS= read -r htpasswd_line

if [[ ${#UFW_RULES[@]} -gt 0 ]]; then add_ufw_rules "$UFW_COMMENT" "${UFW_RULES[@]}"; fi

mkdir -p "${LOCK_FILE%/*}"
exec 9>>"$LOCK_FILE"
flock 9

# put <path> <mode> <owner:group> <content>: replaces the file when content or mode differ.
changed=no
put() {
  local path=$1 mode=$2 owner=$3 content=$4 tmp
  if [[ -f $path && "$(stat -c '%a %U:%G' "$path")" == "$mode $owner" ]] && cmp -s "$path" <(printf '%s' "$content"); then return 0; fi
  tmp=$(mktemp "${path%/*}/.floor-tmp.XXXXXX")
  printf '%s' "$content" >"$tmp"
  chown "$owner" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  changed=yes
}

if [[ "$(stat -c '%a %U:%G' "$HTPASSWD_DIR" 2>/dev/null)" != "750 root:$HTPASSWD_GROUP" ]]; then
  install -d -m 0750 -o root -g "$HTPASSWD_GROUP" "$HTPASSWD_DIR"
fi
put "$HTPASSWD_FILE" 640 "root:$HTPASSWD_GROUP" "$htpasswd_line"$'\n'
changed=no # nginx reads the htpasswd file on every request: no reload for it
for i in "${!FILE_PATHS[@]}"; do
  put "${FILE_PATHS[i]}" 644 root:root "${FILE_CONTENTS[i]}"
done
if [[ $changed == yes ]]; then
  /bin/sh -c "$RELOAD_COMMAND" >/dev/null 9>&-
fi
