# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, create/update: one rename puts the new line in place; idempotent.

# The folder as nginx needs it, touched only when it is not so already (a no-op run writes nothing).
ensure_folder() { # ensure_folder <group>
  local output
  if [[ -d $htpasswd_dir && $(stat -c "%a %U:%G" -- "$htpasswd_dir") == "750 root:$1" ]]; then return 0; fi
  if ! output=$(mkdir -p -- "${htpasswd_dir%/*}" 2>&1 && install -d -m 0750 -o root -g "$1" -- "$htpasswd_dir" 2>&1); then
    fail "cannot prepare $htpasswd_dir: ${output##*: }"
  fi
}

main_apply() {
  local entry="" extra="" group=root current="" output
  local hash_line='^[^:[:space:][:cntrl:]]+:[$]2[aby][$][0-9]{2}[$][./A-Za-z0-9]{53}$'
  IFS= read -r entry || true
  if IFS= read -r extra || [[ -n $extra ]]; then fail "stdin must hold exactly one htpasswd line"; fi
  if [[ ! $entry =~ $hash_line ]]; then fail "stdin is not a user:bcrypt-hash line (content not shown)"; fi
  # nginx workers run as www on aaPanel and read the file on every request.
  if getent group www >/dev/null 2>&1; then group=www; fi
  take_lock
  clear_leftovers
  ensure_folder "$group"
  # mktemp creates the file 0600, so the hash is never readable by others, even briefly.
  if ! output=$(mktemp "$htpasswd_dir/.cm-infra-tmp.XXXXXX" 2>&1); then
    fail "cannot create a file in $htpasswd_dir: ${output##*: }"
  fi
  pending_tmp=$output
  if ! printf "%s\n" "$entry" 2>/dev/null >"$pending_tmp"; then fail "cannot write in $htpasswd_dir (is the disk full?)"; fi
  if ! output=$(chown "root:$group" -- "$pending_tmp" 2>&1 && chmod 0640 -- "$pending_tmp" 2>&1); then
    fail "cannot set the owner or mode of a file in $htpasswd_dir: ${output##*: }"
  fi
  if [[ -f $htpasswd_file ]]; then current=$(stat -c "%a %U:%G" -- "$htpasswd_file"); fi
  if [[ $current == "640 root:$group" ]] && cmp -s -- "$pending_tmp" "$htpasswd_file"; then
    rm -f -- "$pending_tmp"
    pending_tmp=""
    summary unchanged
    return 0
  fi
  if ! output=$(mv -f -- "$pending_tmp" "$htpasswd_file" 2>&1); then
    fail "cannot move the new file into place: ${output##*: }"
  fi
  pending_tmp=""
  say "wrote $htpasswd_file (mode 0640, group $group); nginx reads it per request, no reload"
  summary changed
}

main_apply
