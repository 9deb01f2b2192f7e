#!/usr/bin/env bash
# Remove the sandbox started by up.sh: containers, network, the app host's
# Docker volume, and sandbox/.state/<prefix>/. Images are kept.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${CM_SANDBOX_PREFIX:-cmsbx}"
[[ "$PREFIX" =~ ^[a-z0-9][a-z0-9_-]{0,30}$ ]] || { echo "bad CM_SANDBOX_PREFIX '$PREFIX'" >&2; exit 2; }
log() { printf '[down %s] %s\n' "$PREFIX" "$*" >&2; }

for role in proxy flaskhost lan registry; do
  name="$PREFIX-$role"
  if docker inspect "$name" >/dev/null 2>&1; then
    docker rm -f "$name" >/dev/null
    log "removed container $name"
  fi
done
if docker network inspect "$PREFIX-net" >/dev/null 2>&1; then
  docker network rm "$PREFIX-net" >/dev/null
  log "removed network $PREFIX-net"
fi
if docker volume inspect "$PREFIX-flaskhost-docker" >/dev/null 2>&1; then
  docker volume rm "$PREFIX-flaskhost-docker" >/dev/null
  log "removed volume $PREFIX-flaskhost-docker"
fi
if [[ -d "$HERE/.state/$PREFIX" ]]; then
  rm -rf "${HERE:?}/.state/$PREFIX"
  log "removed $HERE/.state/$PREFIX"
fi
