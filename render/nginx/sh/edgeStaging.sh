# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: testing a change before any live file moves. nginx.conf includes
# <vhostDir>/*.conf at http level (aaPanel's layout), so the test runs on a copy of
# nginx.conf whose include of each folder this run changes points at a copy of that
# folder: the files there now, with the planned steps applied.
# Expects $NGINX_BINARY, $NGINX_CONF, $WORK_DIR, $WANTED_PATHS, the step arrays of
# edgeSteps.sh, die() and is_wanted().

TEST_CONF=""
STAGED_FOLDERS=()
STAGE_DIRS=()
TEST_OUTPUT=""

# Points the copy's "include <folder>/*.conf;" at <stage>/*.conf; exit 3 when it has none.
redirect_include() { # redirect_include <folder> <stage>
  from="$1/*.conf" to="$2/*.conf" awk '
    BEGIN {
      from = ENVIRON["from"]; to = ENVIRON["to"]; q = sprintf("%c", 39)
      lead = "(^|[;{ \t])include[ \t]+[\"" q "]?$"; tail = "^[\"" q "]?[ \t]*;"
    }
    {
      rest = $0; out = ""
      while ((at = index(rest, from)) > 0) {
        before = substr(rest, 1, at - 1); rest = substr(rest, at + length(from))
        if ((out before) ~ lead && rest ~ tail) { out = out before to; found = 1 } else { out = out before from }
      }
      print out rest
    }
    END { exit found ? 0 : 3 }' "$WORK_DIR/main.conf" >"$WORK_DIR/main.next" || return
  mv -f -- "$WORK_DIR/main.next" "$WORK_DIR/main.conf"
}

# Copies the *.conf files of a folder nginx.conf includes; returns 1 when it includes none.
stage_folder() { # stage_folder <live folder>
  local stage="$WORK_DIR/stage.${#STAGE_DIRS[@]}" file files=() status=0
  redirect_include "$1" "$stage" || status=$?
  if (( status == 3 )); then return 1; fi
  if (( status != 0 )); then die "cannot prepare the test copy of $NGINX_CONF in $WORK_DIR"; fi
  mkdir -- "$stage"
  for file in "$1"/*.conf; do
    if [[ -e $file ]]; then files+=("$file"); fi
  done
  if (( ${#files[@]} > 0 )) && ! cp -- "${files[@]}" "$stage/"; then
    die "cannot copy the files of $1 to $WORK_DIR for the test"
  fi
  STAGED_FOLDERS+=("$1")
  STAGE_DIRS+=("$stage")
}

staged_path() { # staged_path <live path>: where its test copy lives, or nothing
  local k
  for k in "${!STAGED_FOLDERS[@]}"; do
    if [[ ${STAGED_FOLDERS[k]} == "${1%/*}" ]]; then printf "%s/%s" "${STAGE_DIRS[k]}" "${1##*/}"; fi
  done
}

# nginx resolves relative paths (include mime.types;) against the folder of the main file,
# so the test copy sits beside nginx.conf, under a name nothing loads (not *.conf).
prepare_staging() { # prepare_staging <the wanted paths must load: yes|no>
  local path folder output checked=" "
  if ! output=$(cp -- "$NGINX_CONF" "$WORK_DIR/main.conf" 2>&1); then die "cannot read $NGINX_CONF: ${output##*: }"; fi
  for path in "${WANTED_PATHS[@]}" "${STEP_PATH[@]}"; do
    folder=${path%/*}
    if [[ $checked == *" $folder "* ]]; then continue; fi
    checked+="$folder "
    if ! stage_folder "$folder" && [[ $1 == yes ]] && is_wanted "$path"; then
      die "nginx does not load $path: $NGINX_CONF has no \"include $folder/*.conf;\" (does it include layout.vhostDir?)"
    fi
  done
  if ! output=$(mktemp "${NGINX_CONF%/*}/.cm-infra-test.$TIER.XXXXXX" 2>&1); then
    die "cannot create the test copy of $NGINX_CONF: ${output##*: }"
  fi
  TEST_CONF=$output
  if ! cat -- "$WORK_DIR/main.conf" >"$TEST_CONF"; then die "cannot write the test copy $TEST_CONF"; fi
}

# nginx names the copies in its messages; the operator needs the live names.
live_names() { # live_names <file with nginx output>
  local text k
  text=$(<"$1")
  text=${text//"$TEST_CONF"/"$NGINX_CONF"}
  for k in "${!STAGE_DIRS[@]}"; do text=${text//"${STAGE_DIRS[k]}/"/"${STAGED_FOLDERS[k]}/"}; done
  printf "%s\n" "$text"
}

# A wrong layout.vhostDir would pass nginx -t while serving nothing; -T lists what loads.
nginx_test_staged() { # nginx_test_staged <also check that the wanted paths load: yes|no>
  local status=0 path staged
  if [[ $1 == yes ]]; then
    "$NGINX_BINARY" -T -c "$TEST_CONF" >"$WORK_DIR/dump" 2>"$WORK_DIR/test.log" 9>&- || status=$?
  else
    "$NGINX_BINARY" -t -c "$TEST_CONF" >"$WORK_DIR/test.log" 2>&1 9>&- || status=$?
  fi
  TEST_OUTPUT=$(live_names "$WORK_DIR/test.log")
  if (( status != 0 )); then
    printf "%s\n" "$TEST_OUTPUT" >&2
    die "nginx -t rejected the configuration"
  fi
  if [[ $1 == yes ]]; then
    for path in "${WANTED_PATHS[@]}"; do
      staged=$(staged_path "$path")
      if ! grep -qxF "# configuration file $staged:" "$WORK_DIR/dump"; then
        die "nginx does not load $path; does $NGINX_CONF include layout.vhostDir?"
      fi
    done
  fi
}

stage_step() { # stage_step <n>: applies step n to the copies; returns 1 if nginx never reads its folder
  local staged
  staged=$(staged_path "${STEP_PATH[$1]}")
  if [[ -z $staged ]]; then return 1; fi
  if [[ ${STEP_KIND[$1]} == remove ]]; then
    rm -f -- "$staged"
  elif [[ ${STEP_KIND[$1]} == move ]]; then
    # Both ends are in one folder, so the source has a copy beside $staged.
    if ! mv -f -- "${staged%/*}/${STEP_SOURCE[$1]##*/}" "$staged"; then die "cannot move the test copy to $staged"; fi
  elif ! cp -- "${STEP_SOURCE[$1]}" "$staged"; then
    die "cannot write the test copy $staged"
  fi
}

# Renames happen one at a time, so every state between them is tested too: whatever
# moment a run is killed at, the live folder holds a configuration nginx -t accepted.
test_every_step() { # test_every_step <check that the wanted paths load: yes|no>
  local n last=$((${#STEP_KIND[@]} - 1)) staged=no
  for n in "${!STEP_KIND[@]}"; do
    staged=no
    if stage_step "$n"; then staged=yes; fi
    if [[ $staged == yes ]] && (( n < last )); then nginx_test_staged no; fi
  done
  if [[ $1 == yes ]]; then
    nginx_test_staged yes
  elif [[ $staged == yes ]]; then
    nginx_test_staged no
  fi
}
