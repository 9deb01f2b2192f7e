# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Edge site: testing a change before any live file moves. nginx.conf includes
# <vhostDir>/*.conf at http level (aaPanel's layout), so the test runs on a copy of
# nginx.conf whose include of each folder this run changes points at a copy of that
# folder: the files there now, with the planned steps applied.
# Expects $nginx_binary, $nginx_conf, $work_dir, $wanted_paths, the step arrays of
# edgeSteps.sh, fail() and is_wanted().

test_conf=""
staged_folders=()
stage_dirs=()
test_output=""

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
    END { exit found ? 0 : 3 }' "$work_dir/main.conf" >"$work_dir/main.next" || return
  mv -f -- "$work_dir/main.next" "$work_dir/main.conf"
}

# Copies the *.conf files of a folder nginx.conf includes; returns 1 when it includes none.
stage_folder() { # stage_folder <live folder>
  local stage="$work_dir/stage.${#stage_dirs[@]}" file files=() status=0
  redirect_include "$1" "$stage" || status=$?
  if (( status == 3 )); then return 1; fi
  if (( status != 0 )); then fail "cannot prepare the test copy of $nginx_conf in $work_dir"; fi
  mkdir -- "$stage"
  for file in "$1"/*.conf; do
    if [[ -e $file ]]; then files+=("$file"); fi
  done
  if (( ${#files[@]} > 0 )) && ! cp -- "${files[@]}" "$stage/"; then
    fail "cannot copy the files of $1 to $work_dir for the test"
  fi
  staged_folders+=("$1")
  stage_dirs+=("$stage")
}

is_staged() {
  local folder
  for folder in ${staged_folders[@]+"${staged_folders[@]}"}; do
    if [[ $folder == "$1" ]]; then return 0; fi
  done
  return 1
}

staged_path() { # staged_path <live path>: where its test copy lives, or nothing
  local k
  for k in "${!staged_folders[@]}"; do
    if [[ ${staged_folders[k]} == "${1%/*}" ]]; then printf "%s/%s" "${stage_dirs[k]}" "${1##*/}"; fi
  done
}

# nginx resolves relative paths (include mime.types;) against the folder of the main file,
# so the test copy sits beside nginx.conf, under a name nothing loads (not *.conf).
prepare_staging() { # prepare_staging <the wanted paths must load: yes|no>
  local path folder output checked=" "
  if ! output=$(cp -- "$nginx_conf" "$work_dir/main.conf" 2>&1); then fail "cannot read $nginx_conf: ${output##*: }"; fi
  for path in "${wanted_paths[@]}" "${step_path[@]}"; do
    folder=${path%/*}
    if [[ $checked == *" $folder "* ]]; then continue; fi
    checked+="$folder "
    if ! stage_folder "$folder" && [[ $1 == yes ]] && is_wanted "$path"; then
      fail "nginx does not load $path: $nginx_conf has no \"include $folder/*.conf;\" (does it include layout.vhostDir?)"
    fi
  done
  if ! output=$(mktemp "${nginx_conf%/*}/.cm-infra-test.$tier.XXXXXX" 2>&1); then
    fail "cannot create the test copy of $nginx_conf: ${output##*: }"
  fi
  test_conf=$output
  if ! cat -- "$work_dir/main.conf" >"$test_conf"; then fail "cannot write the test copy $test_conf"; fi
}

# nginx names the copies in its messages; the operator needs the live names.
live_names() { # live_names <file with nginx output>
  local text k
  text=$(<"$1")
  text=${text//"$test_conf"/"$nginx_conf"}
  for k in "${!stage_dirs[@]}"; do text=${text//"${stage_dirs[k]}/"/"${staged_folders[k]}/"}; done
  printf "%s\n" "$text"
}

# A wrong layout.vhostDir would pass nginx -t while serving nothing; -T lists what loads.
nginx_test_staged() { # nginx_test_staged <also check that the wanted paths load: yes|no>
  local status=0 path staged
  if [[ $1 == yes ]]; then
    "$nginx_binary" -T -c "$test_conf" >"$work_dir/dump" 2>"$work_dir/test.log" 9>&- || status=$?
  else
    "$nginx_binary" -t -c "$test_conf" >"$work_dir/test.log" 2>&1 9>&- || status=$?
  fi
  test_output=$(live_names "$work_dir/test.log")
  if (( status != 0 )); then
    printf "%s\n" "$test_output" >&2
    fail "nginx -t rejected the configuration"
  fi
  if [[ $1 == yes ]]; then
    for path in "${wanted_paths[@]}"; do
      staged=$(staged_path "$path")
      if ! grep -qxF "# configuration file $staged:" "$work_dir/dump"; then
        fail "nginx does not load $path; does $nginx_conf include layout.vhostDir?"
      fi
    done
  fi
}

stage_step() { # stage_step <n>: applies step n to the copies; returns 1 if nginx never reads its folder
  local staged
  staged=$(staged_path "${step_path[$1]}")
  if [[ -z $staged ]]; then return 1; fi
  if [[ ${step_kind[$1]} == remove ]]; then
    rm -f -- "$staged"
  elif [[ ${step_kind[$1]} == move ]]; then
    # Both ends are in one folder, so the source has a copy beside $staged.
    if ! mv -f -- "${staged%/*}/${step_source[$1]##*/}" "$staged"; then fail "cannot move the test copy to $staged"; fi
  elif ! cp -- "${step_source[$1]}" "$staged"; then
    fail "cannot write the test copy $staged"
  fi
}

# Renames happen one at a time, so every state between them is tested too: whatever
# moment a run is killed at, the live folder holds a configuration nginx -t accepted.
test_every_step() { # test_every_step <check that the wanted paths load: yes|no>
  local n last=$((${#step_kind[@]} - 1)) staged=no
  for n in "${!step_kind[@]}"; do
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
