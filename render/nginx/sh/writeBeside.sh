# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# Expects $TIER and the array BESIDE_TEMPS (removed by the EXIT trap). The temp file sits
# in the target folder, so mv is an atomic rename, and its name (a dot file, not *.conf)
# is one nginx never loads, not even after a kill leaves it behind: the next run removes
# it. cp -p carries mode and owner over, which makes restores byte- and mode-exact.
# Sets $BESIDE_TEMP; fails with the system's reason (disk full, read-only) while the
# destination is still untouched.

write_beside() { # write_beside <source> <destination>
  local folder=${2%/*} output
  if ! output=$(mktemp "$folder/.cm-infra-tmp.$TIER.XXXXXX" 2>&1); then
    die "cannot create a file in $folder: ${output##*: }"
  fi
  BESIDE_TEMP=$output
  BESIDE_TEMPS+=("$BESIDE_TEMP")
  if ! output=$(cp -p -- "$1" "$BESIDE_TEMP" 2>&1); then
    die "cannot write in $folder: ${output##*: }"
  fi
}

install_file() { # install_file <source> <destination>
  write_beside "$1" "$2"
  mv -f -- "$BESIDE_TEMP" "$2"
}