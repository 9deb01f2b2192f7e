#!/usr/bin/env bash
# Runs on the registry host (docker exec -i, from sandbox/push-images.sh), as the push
# account whose password only this host holds.
#   sandbox-registry-push config-id REPO:TAG     prints sha256:<image id> of the pushed
#                                                image, nothing when it is not there
#   sandbox-registry-push copy SRC=REPO:TAG...   stdin: `docker save SRC...`; pushes
#                                                each SRC to <registry>:5000/REPO:TAG
# The auth file lives in a private temp folder for this run only.
set -euo pipefail
REGISTRY="${SANDBOX_REGISTRY_NAME:?}:5000"
USER_NAME="${SANDBOX_REGISTRY_PUSHER:?}"
umask 077
work="$(mktemp -d /var/tmp/sandbox-push.XXXXXX)"
trap 'rm -rf "$work"' EXIT
{
  printf '{"auths":{"%s":{"auth":"' "$REGISTRY"
  printf '%s:%s' "$USER_NAME" "$(tr -d '\n' </etc/sandbox/registry/pusher-password)" | base64 -w0
  printf '"}}}\n'
} >"$work/auth.json"

case "${1:-}" in
  config-id)
    # The config blob's digest is the image ID `docker image inspect` shows.
    if config="$(skopeo inspect --config --raw --authfile "$work/auth.json" "docker://$REGISTRY/$2" 2>/dev/null)"; then
      printf 'sha256:%s\n' "$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
    fi
    ;;
  copy)
    shift
    cat >"$work/images.tar"
    for pair in "$@"; do
      skopeo copy --quiet --dest-authfile "$work/auth.json" "docker-archive:$work/images.tar:${pair%%=*}" "docker://$REGISTRY/${pair#*=}"
    done
    ;;
  *) echo "usage: sandbox-registry-push config-id REPO:TAG | copy SRC=REPO:TAG..." >&2; exit 2 ;;
esac
