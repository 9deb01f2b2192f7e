# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: exit trap, leftovers of interrupted runs and the manifest, shared by apply and
# delete. Logging, die, the lock and the summary line are the prelude's
# (render/shell/prelude.sh); values arrive as the readonly variables edgeSiteScripts.ts
# renders. Target: bash >= 4.2 (CentOS 7 hosts), so possibly-empty arrays use the
# ${a[@]+"${a[@]}"} form that set -u accepts there.

WORK_DIR=""
BESIDE_TEMPS=()

# Scratch files only: a live file is never restored from here. A run killed before this
# trap (SIGKILL, a lost session) leaves them; the next run removes them (clear_leftovers).
on_exit() {
  local status=$? path
  for path in ${BESIDE_TEMPS[@]+"${BESIDE_TEMPS[@]}"}; do rm -f -- "$path"; done
  if [[ -n ${TEST_CONF:-} ]]; then rm -f -- "$TEST_CONF"; fi
  if [[ -n $WORK_DIR ]]; then rm -rf -- "$WORK_DIR"; fi
  exit "$status"
}
trap on_exit EXIT

start_work() {
  local output
  lock_host
  if [[ ! -d $TIER_STATE ]] && ! output=$(mkdir -p -- "$TIER_STATE" 2>&1 && chmod 0750 -- "$TIER_STATE" 2>&1); then
    die "cannot create $TIER_STATE: ${output##*: }"
  fi
  rm -rf -- "$TIER_STATE"/work.* 2>/dev/null || true
  if ! output=$(mktemp -d "$TIER_STATE/work.XXXXXX" 2>&1); then
    die "cannot create a work folder in $TIER_STATE: ${output##*: }"
  fi
  WORK_DIR=$output
}

# What a killed run left: its scratch files, named so that nginx never loads them. Every
# run that writes them holds the lock, so none of them is in use now.
clear_leftovers() { # clear_leftovers <path in each folder to clear>...
  local path
  for path in "$@"; do rm -f -- "${path%/*}"/.cm-infra-tmp."$TIER".* 2>/dev/null || true; done
  rm -f -- "${NGINX_CONF%/*}"/.cm-infra-test."$TIER".* 2>/dev/null || true
}

# Manifest lines drive rm, so it may only name files of this tier: cm-infra-<tier>.conf, and
# 0.cm-infra-<tier>.conf, where earlier versions kept the zone apart.
read_manifest() {
  local path
  MANIFEST_PATHS=()
  if [[ ! -f $MANIFEST ]]; then return 0; fi
  while IFS= read -r path; do
    if [[ -z $path ]]; then continue; fi
    case $path in
      */../* | */./*) die "manifest $MANIFEST lists $path; refusing to touch it" ;;
      /*/0.cm-infra-"$TIER".conf | /*/cm-infra-"$TIER".conf) MANIFEST_PATHS+=("$path") ;;
      *) die "manifest $MANIFEST lists $path, which is not a cm-infra-$TIER file; refusing to touch it" ;;
    esac
  done <"$MANIFEST"
}

# The manifest text for these paths, each once, in $WORK_DIR/<name>.
manifest_file() { # manifest_file <name> <path>...
  local name=$1 path listed=" " text=""
  shift
  for path in "$@"; do
    if [[ $listed == *" $path "* ]]; then continue; fi
    listed+="$path "
    text+="$path"$'\n'
  done
  if ! printf "%s" "$text" >"$WORK_DIR/$name"; then die "cannot write in $WORK_DIR"; fi
}

is_wanted() {
  local path
  for path in "${WANTED_PATHS[@]}"; do
    if [[ $path == "$1" ]]; then return 0; fi
  done
  return 1
}
