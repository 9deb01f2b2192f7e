#!/usr/bin/env bash
# Start the cm-infra SSH sandbox: an aaPanel-like proxy host (with ufw), an app host with
# its own Docker engine and ufw, a LAN probe host and a private registry (TLS,
# htpasswd auth) that the app host's engine trusts, on a private Docker network.
# Writes sandbox/.state/<prefix>/sandbox.json. Idempotent.
#
# Env: CM_SANDBOX_PREFIX   (default cmsbx)  names: <prefix>-net, <prefix>-proxy, ...
#      CM_SANDBOX_REBUILD=1   rebuild the host images even if present
#      CM_SANDBOX_INTERNAL=0  make <prefix>-net a normal (not --internal) network
#      CM_SANDBOX_UFW=enable  start the app host with ufw already enabled (22/tcp allowed)
#      CM_SANDBOX_WAIT        seconds to wait for each host's sshd (default 60)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${CM_SANDBOX_PREFIX:-cmsbx}"
[[ "$PREFIX" =~ ^[a-z0-9][a-z0-9_-]{0,30}$ ]] || { echo "bad CM_SANDBOX_PREFIX '$PREFIX'" >&2; exit 2; }
STATE="$HERE/.state/$PREFIX"
NET="$PREFIX-net"
VOL="$PREFIX-flaskhost-docker"
ROLES=(proxy flaskhost lan registry)
# The registry's name on the sandbox network (a network alias of the registry host):
# image references and the stack's registryAuth use it; its certificate is issued for it.
REGISTRY_NAME=registry.sandbox.test
REGISTRY="$REGISTRY_NAME:5000"
REGISTRY_STATE="$STATE/registry"
REGISTRY_DEPLOYER=cm-deployer   # pulls (the stack's images.registryAuth.username)
REGISTRY_PUSHER=sandbox-pusher  # pushes (push-images.sh); its password stays on the registry host

log() { printf '[up %s] %s\n' "$PREFIX" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

docker info >/dev/null 2>&1 || die "docker engine not reachable (start dockerd)"

# ---- images ---------------------------------------------------------------
# An image is rebuilt when the files it is built from changed (label
# cm-sandbox.src = hash of hosts/common + hosts/<role>) or when it is missing.
src_hash() {
  (cd "$HERE/hosts" && find common "$1" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
build_host_image() {
  local role=$1 tag="cm-sandbox/$1:latest" want have
  want="$(src_hash "$role")"
  have="$(docker image inspect -f '{{index .Config.Labels "cm-sandbox.src"}}' "$tag" 2>/dev/null || true)"
  if [[ "${CM_SANDBOX_REBUILD:-0}" != 1 && "$have" == "$want" ]]; then
    return 0
  fi
  "$HERE/base-image.sh"
  log "building $tag${have:+ (sources changed)}"
  local start=$SECONDS
  local out
  if ! out="$(DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build -q -t "$tag" --label "cm-sandbox.src=$want" \
      -f "$HERE/hosts/$role/Dockerfile" "$HERE/hosts" 2>&1)"; then
    printf '%s\n' "$out" >&2; die "building $tag failed"
  fi
  log "built $tag in $((SECONDS - start)) s"
}
for role in "${ROLES[@]}"; do build_host_image "$role"; done

# ---- deployer key -----------------------------------------------------------
mkdir -p "$STATE"
chmod 0700 "$STATE"
KEY="$STATE/id_ed25519"
if [[ ! -s "$KEY" ]]; then
  ssh-keygen -q -t ed25519 -N '' -C "cm-sandbox-deployer@$PREFIX" -f "$KEY"
  log "generated deployer key $KEY"
fi
cp "$KEY.pub" "$STATE/authorized_keys"
chmod 0644 "$STATE/authorized_keys"

# ---- registry credentials and certificates (made once per sandbox, never baked in) ----
mkdir -p "$REGISTRY_STATE"
chmod 0700 "$REGISTRY_STATE"
docker run --rm --network none --user "$(id -u):$(id -g)" -v "$REGISTRY_STATE:/out" \
  -e REGISTRY_NAME="$REGISTRY_NAME" -e DEPLOYER_USER="$REGISTRY_DEPLOYER" -e PUSHER_USER="$REGISTRY_PUSHER" \
  --entrypoint /usr/local/sbin/sandbox-registry-init cm-sandbox/registry:latest \
  || die "making the registry's certificates and accounts failed"

# ---- network ----------------------------------------------------------------
if ! docker network inspect "$NET" >/dev/null 2>&1; then
  internal=(--internal)
  [[ "${CM_SANDBOX_INTERNAL:-1}" == 0 ]] && internal=()
  docker network create --driver bridge "${internal[@]}" --label "cm-sandbox=$PREFIX" "$NET" >/dev/null
  log "created network $NET"
fi

# ---- containers -------------------------------------------------------------
run_args() {
  local role=$1
  printf '%s\n' --name "$PREFIX-$role" --hostname "$role" --network "$NET" \
    --network-alias "$role" --label "cm-sandbox=$PREFIX" --label "cm-sandbox.role=$role" \
    -v "$STATE/authorized_keys:/etc/sandbox/authorized_keys:ro"
  case $role in
    proxy)
      # ufw on the aaPanel-like host (cm-infra's aaPanel firewall) needs it
      printf '%s\n' --cap-add NET_ADMIN
      ;;
    flaskhost)
      printf '%s\n' --cap-add ALL --cap-drop SYS_RESOURCE \
        --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
        --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
        -v "$VOL:/var/lib/docker" --stop-timeout 30 \
        -e "SANDBOX_UFW=${CM_SANDBOX_UFW:-}"
      ;;
    registry)
      printf '%s\n' --network-alias "$REGISTRY_NAME" \
        -v "$REGISTRY_STATE/host:/etc/sandbox/registry:ro" \
        -e "SANDBOX_REGISTRY_NAME=$REGISTRY_NAME" -e "SANDBOX_REGISTRY_PUSHER=$REGISTRY_PUSHER"
      ;;
  esac
}

for role in "${ROLES[@]}"; do
  name="$PREFIX-$role"
  status="$(docker inspect -f '{{.State.Status}}' "$name" 2>/dev/null || true)"
  case $status in
    running)
      # A sandbox started from another checkout knows that checkout's key, not this one's.
      keys="$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/etc/sandbox/authorized_keys"}}{{.Source}}{{end}}{{end}}' "$name")"
      if [[ "$keys" != "$STATE/authorized_keys" ]]; then
        die "$name runs with the deployer key of ${keys%/authorized_keys} (another checkout?): run CM_SANDBOX_PREFIX=$PREFIX sandbox/down.sh there, or use another prefix"
      fi
      log "reusing running $name"
      if [[ "$(docker inspect -f '{{.Image}}' "$name")" != "$(docker image inspect -f '{{.Id}}' "cm-sandbox/$role:latest")" ]]; then
        log "WARNING: $name runs an older cm-sandbox/$role image; down.sh + up.sh to use the new one"
      fi
      ;;
    "")
      mapfile -t args < <(run_args "$role")
      docker run -d "${args[@]}" "cm-sandbox/$role:latest" >/dev/null
      log "started $name"
      ;;
    *)
      docker start "$name" >/dev/null
      log "restarted $name (was $status)"
      ;;
  esac
done

# ---- read addresses and host keys ----------------------------------------------
addr_of() {
  docker inspect -f "{{with index .NetworkSettings.Networks \"$NET\"}}{{.IPAddress}}{{end}}" "$1"
}
declare -A ADDR HOSTKEY
KH="$STATE/known_hosts"
: >"$KH.tmp"
for role in "${ROLES[@]}"; do
  name="$PREFIX-$role"
  ADDR[$role]="$(addr_of "$name")"
  [[ -n "${ADDR[$role]}" ]] || die "$name has no address on $NET"
  key=""
  for _ in $(seq 100); do
    [[ "$(docker inspect -f '{{.State.Running}}' "$name")" == true ]] \
      || { docker logs --tail 30 "$name" >&2; die "$name stopped"; }
    key="$(docker exec "$name" cat /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null | awk '{print $1" "$2}')" || true
    [[ "$key" == ssh-ed25519\ * ]] && break
    sleep 0.3
  done
  [[ "$key" == ssh-ed25519\ * ]] || die "$name: no ed25519 host key"
  HOSTKEY[$role]="$key"
  printf '%s %s\n' "${ADDR[$role]}" "$key" >>"$KH.tmp"
done
mv "$KH.tmp" "$KH"

SSH_OPTS=(-i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o "UserKnownHostsFile=$KH"
          -o StrictHostKeyChecking=yes -o ConnectTimeout=3 -o LogLevel=ERROR)

# ---- wait for sshd (and the inner dockerd), cross-check the scanned keys --------------
for role in "${ROLES[@]}"; do
  name="$PREFIX-$role" a="${ADDR[$role]}"
  check=true
  [[ $role == flaskhost ]] && check="docker info --format 'inner docker {{.ServerVersion}} {{.Driver}}'"
  # 401 = TLS verified against the sandbox CA and auth required
  [[ $role == registry ]] && check="curl -s -o /dev/null -w 'registry https %{http_code}' --cacert /etc/sandbox/registry/ca.crt --resolve $REGISTRY:127.0.0.1 https://$REGISTRY/v2/ | grep -x 'registry https 401'"
  ok=""
  deadline=$((SECONDS + ${CM_SANDBOX_WAIT:-60}))
  while ((SECONDS < deadline)); do
    # shellcheck disable=SC2029  # $check is meant to be sent as is
    if out="$(ssh "${SSH_OPTS[@]}" "root@$a" "$check" 2>/dev/null)"; then ok=1; break; fi
    [[ "$(docker inspect -f '{{.State.Running}}' "$name")" == true ]] \
      || { docker logs --tail 30 "$name" >&2; die "$name stopped"; }
    sleep 0.5
  done
  [[ -n "$ok" ]] || { docker logs --tail 30 "$name" >&2; die "$name: ssh (${check}) did not answer in ${CM_SANDBOX_WAIT:-60} s"; }
  scanned="$(ssh-keyscan -T 3 -t ed25519 "$a" 2>/dev/null | awk '{print $2" "$3}')"
  [[ "$scanned" == "${HOSTKEY[$role]}" ]] || die "$name: ssh-keyscan key differs from the container's own key"
  log "$name at $a: sshd ok${out:+ ($out)}"
done

# ---- the app host's engine trusts the registry's CA (docker reads certs.d on every pull) ----
# Copied in on every run, so a Flask host started before the registry existed gets it too.
docker exec -i "$PREFIX-flaskhost" sh -c 'mkdir -p "/etc/docker/certs.d/$1" && cat >"/etc/docker/certs.d/$1/ca.crt"' sh "$REGISTRY" \
  <"$REGISTRY_STATE/host/ca.crt" || die "installing the registry CA on $PREFIX-flaskhost failed"
code="$(docker exec "$PREFIX-flaskhost" curl -s -o /dev/null -w '%{http_code}' --cacert "/etc/docker/certs.d/$REGISTRY/ca.crt" "https://$REGISTRY/v2/" || true)"
[[ "$code" == 401 ]] || die "$PREFIX-flaskhost cannot reach https://$REGISTRY/v2/ with the sandbox CA (got '$code', want 401)"
log "registry https://$REGISTRY reachable and trusted from $PREFIX-flaskhost (auth required)"

# ---- ssh config and sandbox.json ---------------------------------------------------
{
  printf '# generated by sandbox/up.sh: ssh -F %s <proxy|flaskhost|lan>\n' "$STATE/ssh_config"
  for role in "${ROLES[@]}"; do
    printf 'Host %s %s\n  HostName %s\n  User root\n  Port 22\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n\n' \
      "$role" "$PREFIX-$role" "${ADDR[$role]}" "$KEY" "$KH"
  done
} >"$STATE/ssh_config"
# ssh wrapper for tools that only call plain `ssh` (e.g. docker -H ssh://):
#   PATH="$STATE/bin:$PATH" docker -H ssh://root@flaskhost info
mkdir -p "$STATE/bin"
printf '#!/bin/sh\nexec %q -F %q "$@"\n' "$(command -v ssh)" "$STATE/ssh_config" >"$STATE/bin/ssh.tmp"
chmod 0755 "$STATE/bin/ssh.tmp"
mv "$STATE/bin/ssh.tmp" "$STATE/bin/ssh"

# shellcheck disable=SC2016  # JavaScript template literals, not shell
env PREFIX="$PREFIX" NET="$NET" KEY="$KEY" KH="$KH" OUT="$STATE/sandbox.json" \
P_ADDR="${ADDR[proxy]}" P_KEY="${HOSTKEY[proxy]}" \
F_ADDR="${ADDR[flaskhost]}" F_KEY="${HOSTKEY[flaskhost]}" \
L_ADDR="${ADDR[lan]}" L_KEY="${HOSTKEY[lan]}" \
R_ADDR="${ADDR[registry]}" R_KEY="${HOSTKEY[registry]}" \
REGISTRY="$REGISTRY" REGISTRY_DEPLOYER="$REGISTRY_DEPLOYER" REGISTRY_STATE="$REGISTRY_STATE" \
node -e '
  const e = process.env;
  const host = (role, address, hostKey) => ({ container: `${e.PREFIX}-${role}`, address, sshPort: 22, hostKey });
  const doc = {
    prefix: e.PREFIX, network: e.NET, sshKey: e.KEY, knownHosts: e.KH,
    hosts: {
      proxy: host("proxy", e.P_ADDR, e.P_KEY),
      flaskhost: host("flaskhost", e.F_ADDR, e.F_KEY),
      lan: host("lan", e.L_ADDR, e.L_KEY),
      registry: host("registry", e.R_ADDR, e.R_KEY),
    },
    registry: {
      address: e.REGISTRY,
      username: e.REGISTRY_DEPLOYER,
      passwordFile: `${e.REGISTRY_STATE}/deployer-password`,
      caCert: `${e.REGISTRY_STATE}/host/ca.crt`,
    },
  };
  require("fs").writeFileSync(e.OUT, JSON.stringify(doc, null, 2) + "\n");
'
log "ready: $STATE/sandbox.json"
printf '%s\n' "$STATE/sandbox.json"
