#!/usr/bin/env bash
# Ensure the local image tag debian:bookworm-slim exists.
# No registry is reachable from here, so the image is built from a
# debootstrap --variant=minbase rootfs and `docker import`ed. The rootfs
# tarball is cached so later runs only re-import it (seconds).
#
# Env: CM_SANDBOX_CACHE (default /var/cache/cm-infra-sandbox)
#      CM_SANDBOX_MIRROR (default: first URI in /etc/apt/sources.list.d/debian.sources,
#                         else http://deb.debian.org/debian)
#      CM_SANDBOX_FORCE_BASE=1  rebuild the rootfs even if cached/present
set -euo pipefail

TAG="debian:bookworm-slim"
CACHE="${CM_SANDBOX_CACHE:-/var/cache/cm-infra-sandbox}"
TARBALL="$CACHE/bookworm-minbase-rootfs.tar"
FORCE="${CM_SANDBOX_FORCE_BASE:-0}"

log() { printf '[base-image] %s\n' "$*" >&2; }

if [[ "$FORCE" != 1 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  log "image $TAG already present ($(docker image inspect -f '{{.Id}}' "$TAG")); nothing to do"
  exit 0
fi

mirror() {
  if [[ -n "${CM_SANDBOX_MIRROR:-}" ]]; then
    printf '%s\n' "$CM_SANDBOX_MIRROR"; return
  fi
  local src=/etc/apt/sources.list.d/debian.sources uri=""
  if [[ -r "$src" ]]; then
    # first URIs: line of a stanza whose Suites mention plain bookworm
    uri="$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u!="" {print u; exit}' "$src")"
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

mkdir -p "$CACHE"
if [[ "$FORCE" == 1 || ! -s "$TARBALL" ]]; then
  command -v debootstrap >/dev/null || { log "debootstrap not installed (apt-get install debootstrap)"; exit 1; }
  MIRROR="$(mirror)"
  ROOT="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  trap 'rm -rf "$ROOT"' EXIT
  log "debootstrap --variant=minbase bookworm from $MIRROR (about 45 s)"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
    log "debootstrap failed; see $CACHE/debootstrap.log"; tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
  # slim it down the way the official -slim image does, and make it generic
  rm -f "$ROOT"/etc/ssh/ssh_host_*
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log
  cat >"$ROOT/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
SRC
  # keep container images small: no docs/manpages, no apt caches
  mkdir -p "$ROOT/etc/dpkg/dpkg.cfg.d" "$ROOT/etc/apt/apt.conf.d"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' \
    >"$ROOT/etc/dpkg/dpkg.cfg.d/docker-slim"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$ROOT/etc/apt/apt.conf.d/99-no-recommends"
  : >"$ROOT/etc/hostname"
  printf 'nameserver 127.0.0.1\n' >"$ROOT/etc/resolv.conf"   # docker bind-mounts its own
  tar --numeric-owner -C "$ROOT" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$ROOT"; trap - EXIT
  log "rootfs cached at $TARBALL ($(du -h "$TARBALL" | cut -f1)) in $((SECONDS - start)) s"
else
  log "using cached rootfs $TARBALL"
fi

start=$SECONDS
docker import \
  -c 'CMD ["bash"]' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -m "debootstrap minbase bookworm (cm-infra sandbox)" \
  - "$TAG" <"$TARBALL" >/dev/null
log "imported $TAG in $((SECONDS - start)) s: $(docker image inspect -f '{{.Id}}' "$TAG")"
