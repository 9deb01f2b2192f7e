# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: logging, exit trap, leftovers of interrupted runs and the manifest, shared by
# apply and delete. Values arrive as variables set by edgeSiteScripts.ts. Target: bash >=
# 4.2 (CentOS 7 hosts), so possibly-empty arrays use the ${a[@]+"${a[@]}"} form that
# set -u accepts there.

# Says on every failure whether anything was changed; the steps update it.
outcome="nothing was changed"
say() { printf "cm-infra edge %s: %s\n" "$tier" "$*"; }
summary() { say "result=$1 reloaded=$2"; }
fail() {
  printf "cm-infra edge %s: error: %s\n" "$tier" "$*${outcome:+; $outcome}" >&2
  summary failed no
  exit 1
}

work_dir=""
beside_temps=()

# Scratch files only: a live file is never restored from here. A run killed before this
# trap (SIGKILL, a lost session) leaves them; the next run removes them (clear_leftovers).
on_exit() {
  local status=$? path
  for path in ${beside_temps[@]+"${beside_temps[@]}"}; do rm -f -- "$path"; done
  if [[ -n ${test_conf:-} ]]; then rm -f -- "$test_conf"; fi
  if [[ -n $work_dir ]]; then rm -rf -- "$work_dir"; fi
  exit "$status"
}
trap on_exit EXIT

start_work() {
  local output
  take_lock
  if [[ ! -d $tier_state ]] && ! output=$(mkdir -p -- "$tier_state" 2>&1 && chmod 0750 -- "$tier_state" 2>&1); then
    fail "cannot create $tier_state: ${output##*: }"
  fi
  rm -rf -- "$tier_state"/work.* 2>/dev/null || true
  if ! output=$(mktemp -d "$tier_state/work.XXXXXX" 2>&1); then
    fail "cannot create a work folder in $tier_state: ${output##*: }"
  fi
  work_dir=$output
}

# What a killed run left: its scratch files, named so that nginx never loads them. Every
# run that writes them holds the lock, so none of them is in use now.
clear_leftovers() { # clear_leftovers <path in each folder to clear>...
  local path
  for path in "$@"; do rm -f -- "${path%/*}"/.cm-infra-tmp."$tier".* 2>/dev/null || true; done
  rm -f -- "${nginx_conf%/*}"/.cm-infra-test."$tier".* 2>/dev/null || true
}

# Manifest lines drive rm, so it may only name files of this tier: cm-infra-<tier>.conf, and
# 0.cm-infra-<tier>.conf, where earlier versions kept the zone apart.
read_manifest() {
  local path
  manifest_paths=()
  if [[ ! -f $manifest ]]; then return 0; fi
  while IFS= read -r path; do
    if [[ -z $path ]]; then continue; fi
    case $path in
      */../* | */./*) fail "manifest $manifest lists $path; refusing to touch it" ;;
      /*/0.cm-infra-"$tier".conf | /*/cm-infra-"$tier".conf) manifest_paths+=("$path") ;;
      *) fail "manifest $manifest lists $path, which is not a cm-infra-$tier file; refusing to touch it" ;;
    esac
  done <"$manifest"
}

# The manifest text for these paths, each once, in $work_dir/<name>.
manifest_file() { # manifest_file <name> <path>...
  local name=$1 path listed=" " text=""
  shift
  for path in "$@"; do
    if [[ $listed == *" $path "* ]]; then continue; fi
    listed+="$path "
    text+="$path"$'\n'
  done
  if ! printf "%s" "$text" >"$work_dir/$name"; then fail "cannot write in $work_dir"; fi
}

is_wanted() {
  local path
  for path in "${wanted_paths[@]}"; do
    if [[ $path == "$1" ]]; then return 0; fi
  done
  return 1
}
