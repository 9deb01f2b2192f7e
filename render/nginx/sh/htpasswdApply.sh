# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# htpasswd, create/update: one rename puts the new line in place; idempotent.

# The folder as nginx needs it, touched only when it is not so already (a no-op run writes nothing).
ensure_folder() { # ensure_folder <group>
  local output
  if [[ -d $HTPASSWD_DIR && $(stat -c "%a %U:%G" -- "$HTPASSWD_DIR") == "750 root:$1" ]]; then return 0; fi
  if ! output=$(mkdir -p -- "${HTPASSWD_DIR%/*}" 2>&1 && install -d -m 0750 -o root -g "$1" -- "$HTPASSWD_DIR" 2>&1); then
    die "cannot prepare $HTPASSWD_DIR: ${output##*: }"
  fi
}

main_apply() {
  local entry="" extra="" group=root current="" output
  local hash_line='^[^:[:space:][:cntrl:]]+:[$]2[aby][$][0-9]{2}[$][./A-Za-z0-9]{53}$'
  IFS= read -r entry || true
  if IFS= read -r extra || [[ -n $extra ]]; then die "stdin must hold exactly one htpasswd line"; fi
  if [[ ! $entry =~ $hash_line ]]; then die "stdin is not a user:bcrypt-hash line (content not shown)"; fi
  # nginx workers run as www on aaPanel and read the file on every request.
  if getent group www >/dev/null 2>&1; then group=www; fi
  take_lock
  ensure_folder "$group"
  # mktemp creates the file 0600, so the hash is never readable by others, even briefly.
  if ! output=$(mktemp "$HTPASSWD_DIR/.cm-infra-tmp.XXXXXX" 2>&1); then
    die "cannot create a file in $HTPASSWD_DIR: ${output##*: }"
  fi
  PENDING_TMP=$output
  if ! printf "%s\n" "$entry" 2>/dev/null >"$PENDING_TMP"; then die "cannot write in $HTPASSWD_DIR (is the disk full?)"; fi
  if ! output=$(chown "root:$group" -- "$PENDING_TMP" 2>&1 && chmod 0640 -- "$PENDING_TMP" 2>&1); then
    die "cannot set the owner or mode of a file in $HTPASSWD_DIR: ${output##*: }"
  fi
  if [[ -f $HTPASSWD_FILE ]]; then current=$(stat -c "%a %U:%G" -- "$HTPASSWD_FILE"); fi
  if [[ $current == "640 root:$group" ]] && cmp -s -- "$PENDING_TMP" "$HTPASSWD_FILE"; then
    rm -f -- "$PENDING_TMP"
    PENDING_TMP=""
    summarize "result=unchanged reloaded=no"
    return 0
  fi
  if ! output=$(mv -f -- "$PENDING_TMP" "$HTPASSWD_FILE" 2>&1); then
    die "cannot move the new file into place: ${output##*: }"
  fi
  PENDING_TMP=""
  say "wrote $HTPASSWD_FILE (mode 0640, group $group); nginx reads it per request, no reload"
  summarize "result=changed reloaded=no"
}

main_apply
