/**
 * Bash bodies of the htpasswd scripts (values arrive as variables, hence `\${`).
 * The hash line only ever travels through stdin, a shell variable and printf (a builtin),
 * so it never shows up in a process list or in the script's output.
 *
 * The file changes with one rename, so a run killed at any point leaves the old line or
 * the new one. A killed run may leave its temp file (a dot file beside the live one, mode
 * 0640 or stricter); the next run removes it under the lock.
 */

export const HTPASSWD_COMMON = `
# Says on every failure whether anything was changed.
outcome="nothing was changed"
say() { printf "cm-infra htpasswd %s: %s\\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=no"; }
fail() {
  printf "cm-infra htpasswd %s: error: %s\\n" "$tier" "$*\${outcome:+; $outcome}" >&2
  summary failed
  exit 1
}

pending_tmp=""
remove_pending_tmp() {
  if [[ -n $pending_tmp ]]; then rm -f -- "$pending_tmp"; fi
}
trap remove_pending_tmp EXIT

# Every run that writes temp files there holds the lock, so none of them is in use now.
clear_leftovers() {
  if [[ -d $htpasswd_dir ]]; then rm -f -- "$htpasswd_dir"/.cm-infra-tmp.* 2>/dev/null || true; fi
}
`;

export const HTPASSWD_APPLY = `
# The folder as nginx needs it, touched only when it is not so already (a no-op run writes nothing).
ensure_folder() { # ensure_folder <group>
  local output
  if [[ -d $htpasswd_dir && $(stat -c "%a %U:%G" -- "$htpasswd_dir") == "750 root:$1" ]]; then return 0; fi
  if ! output=$(mkdir -p -- "\${htpasswd_dir%/*}" 2>&1 && install -d -m 0750 -o root -g "$1" -- "$htpasswd_dir" 2>&1); then
    fail "cannot prepare $htpasswd_dir: \${output##*: }"
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
    fail "cannot create a file in $htpasswd_dir: \${output##*: }"
  fi
  pending_tmp=$output
  if ! printf "%s\\n" "$entry" 2>/dev/null >"$pending_tmp"; then fail "cannot write in $htpasswd_dir (is the disk full?)"; fi
  if ! output=$(chown "root:$group" -- "$pending_tmp" 2>&1 && chmod 0640 -- "$pending_tmp" 2>&1); then
    fail "cannot set the owner or mode of a file in $htpasswd_dir: \${output##*: }"
  fi
  if [[ -f $htpasswd_file ]]; then current=$(stat -c "%a %U:%G" -- "$htpasswd_file"); fi
  if [[ $current == "640 root:$group" ]] && cmp -s -- "$pending_tmp" "$htpasswd_file"; then
    rm -f -- "$pending_tmp"
    pending_tmp=""
    summary unchanged
    return 0
  fi
  if ! output=$(mv -f -- "$pending_tmp" "$htpasswd_file" 2>&1); then
    fail "cannot move the new file into place: \${output##*: }"
  fi
  pending_tmp=""
  say "wrote $htpasswd_file (mode 0640, group $group); nginx reads it per request, no reload"
  summary changed
}

main_apply
`;

export const HTPASSWD_DELETE = `
main_delete() {
  local result=absent output
  take_lock
  clear_leftovers
  if [[ -e $htpasswd_file ]]; then
    if ! output=$(rm -f -- "$htpasswd_file" 2>&1); then fail "cannot remove $htpasswd_file: \${output##*: }"; fi
    result=removed
  fi
  outcome=""
  if [[ -d $htpasswd_dir ]] && ! rmdir -- "$htpasswd_dir" 2>/dev/null; then
    say "kept $htpasswd_dir: it holds files cm-infra did not write"
  fi
  summary "$result"
}

main_delete
`;
