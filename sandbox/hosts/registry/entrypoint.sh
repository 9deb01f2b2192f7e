#!/usr/bin/env bash
# Registry host init (no systemd): host keys, then the registry as its service user,
# then sshd. The TLS key and htpasswd are copied out of the read-only mount so that
# only the service user can read them.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../common source=sandbox-ssh.sh
. /usr/local/lib/sandbox-ssh.sh
sandbox_ssh_setup

SRC=/etc/sandbox/registry
RUN_DIR=/run/sandbox-registry
for file in ca.crt registry.crt registry.key htpasswd; do
  [[ -s $SRC/$file ]] || { sandbox_log "missing $SRC/$file (up.sh mounts sandbox/.state/<prefix>/registry/host there)"; exit 1; }
done
install -d -o docker-registry -g docker-registry -m 0700 "$RUN_DIR"
install -o docker-registry -g docker-registry -m 0600 "$SRC/registry.crt" "$SRC/registry.key" "$SRC/htpasswd" "$RUN_DIR/"
# skopeo (push.sh) trusts the CA for this registry the way Docker does: certs.d/<host:port>/
for name in "${SANDBOX_REGISTRY_NAME:?}" registry; do
  install -D -m 0644 "$SRC/ca.crt" "/etc/containers/certs.d/$name:5000/ca.crt"
done

touch /var/log/docker-registry.log
chown docker-registry:docker-registry /var/lib/docker-registry
runuser -u docker-registry -- docker-registry serve /etc/docker/registry/config.yml >>/var/log/docker-registry.log 2>&1 &
registry_pid=$!
sandbox_log "docker-registry started (pid $registry_pid)"
# shellcheck disable=SC2064  # expand now on purpose
sandbox_run_sshd "kill -TERM $registry_pid 2>/dev/null || true"
