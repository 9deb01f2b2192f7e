/**
 * Bash bodies of the htpasswd scripts (values arrive as variables, hence `\${`).
 * The hash line only ever travels through stdin, a shell variable and printf (a builtin),
 * so it never shows up in a process list or in the script's output.
 */

export const HTPASSWD_COMMON = `
say() { printf "cm-infra htpasswd %s: %s\\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=no"; }
fail() {
  printf "cm-infra htpasswd %s: error: %s\\n" "$tier" "$*" >&2
  summary failed
  exit 1
}

pending_tmp=""
remove_pending_tmp() {
  if [[ -n $pending_tmp ]]; then rm -f -- "$pending_tmp"; fi
}
trap remove_pending_tmp EXIT
`;

export const HTPASSWD_APPLY = `
main_apply() {
  local entry="" extra="" group=root current=""
  local hash_line='^[^:[:space:][:cntrl:]]+:[$]2[aby][$][0-9]{2}[$][./A-Za-z0-9]{53}$'
  IFS= read -r entry || true
  if IFS= read -r extra || [[ -n $extra ]]; then fail "stdin must hold exactly one htpasswd line"; fi
  if [[ ! $entry =~ $hash_line ]]; then fail "stdin is not a user:bcrypt-hash line (content not shown)"; fi
  # nginx workers run as www on aaPanel and read the file on every request.
  if getent group www >/dev/null 2>&1; then group=www; fi
  take_lock
  mkdir -p -- "$(dirname -- "$htpasswd_dir")"
  install -d -m 0750 -o root -g "$group" -- "$htpasswd_dir"
  # mktemp creates the file 0600, so the hash is never readable by others, even briefly.
  pending_tmp=$(mktemp "$htpasswd_dir/.cm-infra-tmp.XXXXXX")
  printf "%s\\n" "$entry" >"$pending_tmp"
  chown "root:$group" -- "$pending_tmp"
  chmod 0640 -- "$pending_tmp"
  if [[ -f $htpasswd_file ]]; then current=$(stat -c "%a %U:%G" -- "$htpasswd_file"); fi
  if [[ $current == "640 root:$group" ]] && cmp -s -- "$pending_tmp" "$htpasswd_file"; then
    rm -f -- "$pending_tmp"
    pending_tmp=""
    summary unchanged
    return 0
  fi
  mv -f -- "$pending_tmp" "$htpasswd_file"
  pending_tmp=""
  say "wrote $htpasswd_file (mode 0640, group $group); nginx reads it per request, no reload"
  summary changed
}

main_apply
`;

export const HTPASSWD_DELETE = `
main_delete() {
  local result=absent
  take_lock
  if [[ -e $htpasswd_file ]]; then
    rm -f -- "$htpasswd_file"
    result=removed
  fi
  if [[ -d $htpasswd_dir ]] && ! rmdir -- "$htpasswd_dir" 2>/dev/null; then
    say "kept $htpasswd_dir: it holds files cm-infra did not write"
  fi
  summary "$result"
}

main_delete
`;
