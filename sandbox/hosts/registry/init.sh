#!/usr/bin/env bash
# Makes the sandbox registry's credentials and certificates, once, into /out (up.sh
# mounts sandbox/.state/<prefix>/registry there and runs this as a throwaway container):
#   ca.key                 the sandbox CA's key (stays on the machine)
#   deployer-password      the pull account's password (the stack's registryPassword)
#   host/ca.crt            the CA the Flask host's engine trusts for this registry
#   host/registry.{crt,key} the server certificate for $REGISTRY_NAME (and "registry")
#   host/htpasswd          bcrypt lines for $DEPLOYER_USER and $PUSHER_USER
#   host/pusher-password   the push account's password (used on the registry host only)
# host/ is what the registry host mounts. Passwords go to htpasswd on stdin, never argv.
set -euo pipefail
: "${REGISTRY_NAME:?}" "${DEPLOYER_USER:?}" "${PUSHER_USER:?}"
OUT=/out
umask 077
if [[ -s $OUT/host/htpasswd && -s $OUT/host/registry.crt && -s $OUT/deployer-password && -s $OUT/host/pusher-password ]]; then
  exit 0
fi
mkdir -p "$OUT/host"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 825 \
  -subj "/CN=cm-infra sandbox registry CA" -keyout "$OUT/ca.key" -out "$OUT/host/ca.crt" 2>/dev/null
openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=$REGISTRY_NAME" \
  -keyout "$OUT/host/registry.key" -out "$work/registry.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:registry\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$REGISTRY_NAME" >"$work/ext"
openssl x509 -req -sha256 -days 825 -in "$work/registry.csr" -CA "$OUT/host/ca.crt" -CAkey "$OUT/ca.key" \
  -CAcreateserial -CAserial "$work/ca.srl" -extfile "$work/ext" -out "$OUT/host/registry.crt" 2>/dev/null

openssl rand -hex 24 | tr -d '\n' >"$OUT/deployer-password"
openssl rand -hex 24 | tr -d '\n' >"$OUT/host/pusher-password"
: >"$work/htpasswd"
tr -d '\n' <"$OUT/deployer-password" | htpasswd -iB -C 10 "$work/htpasswd" "$DEPLOYER_USER" 2>/dev/null
tr -d '\n' <"$OUT/host/pusher-password" | htpasswd -iB -C 10 "$work/htpasswd" "$PUSHER_USER" 2>/dev/null
mv "$work/htpasswd" "$OUT/host/htpasswd"
chmod 0644 "$OUT/host/ca.crt" "$OUT/host/registry.crt"
