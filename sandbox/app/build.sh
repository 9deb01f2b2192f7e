#!/usr/bin/env bash
# Build the stand-in app images (the real ones cannot be pulled here):
#   local/cm-api:sandbox local/cm-web:sandbox local/cm-telegram:sandbox
#   local/cm-transfer:sandbox  (one image, four tags)  and  local/cm-mysql:sandbox
# Env: CM_SANDBOX_REBUILD=1 rebuilds even when the tags exist.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[app-build] %s\n' "$*" >&2; }
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"

# quiet build: print the builder's output only when it fails
build() {
  local out
  if ! out="$(docker build -q "$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}
APP_TAGS=(local/cm-api:sandbox local/cm-web:sandbox local/cm-telegram:sandbox local/cm-transfer:sandbox)
DB_TAG=local/cm-mysql:sandbox

"$HERE/../base-image.sh"

# rebuilt when missing or when its sources changed (label cm-sandbox.src)
src_hash() {
  (cd "$HERE" && find "$@" -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
current() {
  [[ "$(docker image inspect -f '{{index .Config.Labels "cm-sandbox.src"}}' "$1" 2>/dev/null || true)" == "$2" ]]
}
APP_SRC="$(src_hash Dockerfile app)"
DB_SRC="$(src_hash mysql)"

missing=0
for t in "${APP_TAGS[@]}"; do current "$t" "$APP_SRC" || missing=1; done
if [[ "${CM_SANDBOX_REBUILD:-0}" == 1 || $missing == 1 ]]; then
  start=$SECONDS
  build -t "${APP_TAGS[0]}" --label "cm-sandbox.src=$APP_SRC" "$HERE"
  for t in "${APP_TAGS[@]:1}"; do docker tag "${APP_TAGS[0]}" "$t"; done
  log "built ${APP_TAGS[*]} in $((SECONDS - start)) s"
else
  log "app images present"
fi

if [[ "${CM_SANDBOX_REBUILD:-0}" == 1 ]] || ! current "$DB_TAG" "$DB_SRC"; then
  start=$SECONDS
  build -t "$DB_TAG" --label "cm-sandbox.src=$DB_SRC" "$HERE/mysql"
  log "built $DB_TAG in $((SECONDS - start)) s"
else
  log "$DB_TAG present"
fi
for t in "${APP_TAGS[@]}" "$DB_TAG"; do
  printf '%s %s\n' "$t" "$(docker image inspect -f '{{.Id}}' "$t")"
done
