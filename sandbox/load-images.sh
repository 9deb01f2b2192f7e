#!/usr/bin/env bash
# Copy local images onto the sandbox app host's inner Docker engine over SSH
# (docker save | ssh ... docker load), skipping those already there with the
# same image ID.
#   sandbox/load-images.sh                # the stand-in app images
#   sandbox/load-images.sh IMG [IMG...]   # any local images
# Env: CM_SANDBOX_PREFIX (default cmsbx); needs a running sandbox (up.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${CM_SANDBOX_PREFIX:-cmsbx}"
JSON="$HERE/.state/$PREFIX/sandbox.json"
log() { printf '[load-images %s] %s\n' "$PREFIX" "$*" >&2; }
[[ -s "$JSON" ]] || { log "no $JSON: run sandbox/up.sh first"; exit 1; }

read -r KEY KH ADDR < <(node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log([s.sshKey, s.knownHosts, s.hosts.flaskhost.address].join(" "));
' "$JSON")
SSH=(ssh -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o "UserKnownHostsFile=$KH"
     -o StrictHostKeyChecking=yes -o LogLevel=ERROR "root@$ADDR")

if (($# == 0)); then
  set -- local/cm-api:sandbox local/cm-web:sandbox local/cm-telegram:sandbox \
         local/cm-transfer:sandbox local/cm-mysql:sandbox
fi

todo=()
for img in "$@"; do
  local_id="$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null)" \
    || { log "ERROR: no local image $img (sandbox/app/build.sh builds the stand-ins)"; exit 1; }
  remote_id="$("${SSH[@]}" docker image inspect -f "'{{.Id}}'" "$(printf '%q' "$img")" 2>/dev/null || true)"
  if [[ "$remote_id" == "$local_id" ]]; then
    log "skip $img (already there: ${local_id:7:12})"
  else
    todo+=("$img")
  fi
done
if ((${#todo[@]})); then
  start=$SECONDS
  log "loading ${todo[*]}"
  docker save "${todo[@]}" | "${SSH[@]}" docker load >/dev/null
  log "loaded ${#todo[@]} image(s) in $((SECONDS - start)) s"
fi
