#!/usr/bin/env bash
# App host init (no systemd): host keys, legacy iptables, ufw-init, dockerd,
# then sshd. Safe to run again after `docker restart`.
#
# ufw: /lib/ufw/ufw-init start applies the rules only if /etc/ufw/ufw.conf says
# ENABLED=yes, exactly like the boot-time ufw service. A fresh host therefore
# starts with ufw INACTIVE; whatever enables it (the program under test) makes
# it come back after a restart. Marker to pre-enable it: SANDBOX_UFW=enable
# (env) or a file /etc/sandbox/ufw-enable; it also allows 22/tcp (as on a
# real host with ufw on, SSH stays reachable).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../common source=sandbox-ssh.sh
. /usr/local/lib/sandbox-ssh.sh

sandbox_ssh_setup

update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null

if [[ "${SANDBOX_UFW:-}" == enable || -e /etc/sandbox/ufw-enable ]] \
   && ! grep -q '^ENABLED=yes' /etc/ufw/ufw.conf; then
  # like a real host where ufw is on: SSH stays reachable
  ufw allow 22/tcp >/dev/null
  sed -i 's/^ENABLED=.*/ENABLED=yes/' /etc/ufw/ufw.conf
fi
/lib/ufw/ufw-init start
printf '%s ufw-init start (ENABLED=%s)\n' "$(date -Is)" \
  "$(sed -n 's/^ENABLED=//p' /etc/ufw/ufw.conf)" >>/var/log/sandbox-ufw-init.log
sandbox_log "ufw: $(ufw status | head -n1)"

# stale state from before a `docker restart`
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
dockerd >>/var/log/dockerd.log 2>&1 &
dockerd_pid=$!
for _ in $(seq 120); do
  docker info >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { sandbox_log "dockerd died:"; tail -n 30 /var/log/dockerd.log >&2; exit 1; }
  sleep 0.5
done
docker info >/dev/null 2>&1 || { sandbox_log "dockerd did not answer in 60 s"; tail -n 30 /var/log/dockerd.log >&2; exit 1; }
sandbox_log "dockerd up (pid $dockerd_pid, $(docker info -f '{{.Driver}}'))"

stop_dockerd() {
  kill -TERM "$dockerd_pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 0.2; done
}
sandbox_run_sshd stop_dockerd
