#!/usr/bin/env bash
# Push local images into the sandbox's private registry (the registry host's
# skopeo reads `docker save` on stdin; no engine is given registry credentials),
# skipping those whose image ID the registry already holds under that name.
#   sandbox/push-images.sh                      # the stand-in app and database images
#   sandbox/push-images.sh SRC=REPO:TAG [...]   # any local image to <registry>/REPO:TAG
# The sandbox stack pulls them as registry.sandbox.test:5000/cm/<image>:sandbox.
# Env: CM_SANDBOX_PREFIX (default cmsbx); needs a running sandbox (up.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${CM_SANDBOX_PREFIX:-cmsbx}"
JSON="$HERE/.state/$PREFIX/sandbox.json"
REGISTRY_HOST="$PREFIX-registry"
log() { printf '[push-images %s] %s\n' "$PREFIX" "$*" >&2; }
[[ -s "$JSON" ]] || { log "no $JSON: run sandbox/up.sh first"; exit 1; }

if (($# == 0)); then
  set -- local/cm-api:sandbox=cm/cm-api:sandbox local/cm-web:sandbox=cm/cm-web:sandbox \
         local/cm-telegram:sandbox=cm/cm-telegram:sandbox local/cm-transfer:sandbox=cm/cm-transfer:sandbox \
         local/cm-mysql:sandbox=cm/cm-mysql:sandbox
fi

todo=() sources=()
for pair in "$@"; do
  [[ "$pair" == *=* ]] || { log "ERROR: '$pair' is not SRC=REPO:TAG"; exit 2; }
  src="${pair%%=*}" dest="${pair#*=}"
  local_id="$(docker image inspect -f '{{.Id}}' "$src" 2>/dev/null)" \
    || { log "ERROR: no local image $src (sandbox/app/build.sh builds the stand-ins)"; exit 1; }
  remote_id="$(docker exec "$REGISTRY_HOST" sandbox-registry-push config-id "$dest")"
  if [[ "$remote_id" == "$local_id" ]]; then
    log "skip $dest (already pushed: ${local_id:7:12})"
  else
    todo+=("$pair")
    sources+=("$src")
  fi
done
if ((${#todo[@]})); then
  start=$SECONDS
  log "pushing ${todo[*]}"
  docker save "${sources[@]}" | docker exec -i "$REGISTRY_HOST" sandbox-registry-push copy "${todo[@]}"
  for pair in "${todo[@]}"; do
    [[ "$(docker exec "$REGISTRY_HOST" sandbox-registry-push config-id "${pair#*=}")" == "$(docker image inspect -f '{{.Id}}' "${pair%%=*}")" ]] \
      || { log "ERROR: ${pair#*=} in the registry is not the image ${pair%%=*}"; exit 1; }
  done
  log "pushed ${#todo[@]} image(s) in $((SECONDS - start)) s"
fi
