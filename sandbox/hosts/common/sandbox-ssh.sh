#!/usr/bin/env bash
# Shared start-up helper for every sandbox host (sourced by the entrypoints).
# - fresh SSH host keys per container (none are baked into the image)
# - root's authorized_keys from a read-only mount (/etc/sandbox/authorized_keys)
#   or from the env var SANDBOX_AUTHORIZED_KEYS
set -euo pipefail

sandbox_log() { printf '[%s] %s\n' "$(hostname)" "$*" >&2; }

sandbox_ssh_setup() {
  mkdir -p /run/sshd /root/.ssh
  chmod 0755 /run/sshd
  chmod 0700 /root/.ssh
  # host keys: generated on first start, kept across `docker restart`
  ssh-keygen -A >/dev/null
  local keys=""
  if [[ -r /etc/sandbox/authorized_keys ]]; then
    keys="$(cat /etc/sandbox/authorized_keys)"
  fi
  if [[ -n "${SANDBOX_AUTHORIZED_KEYS:-}" ]]; then
    keys="${keys:+$keys$'\n'}${SANDBOX_AUTHORIZED_KEYS}"
  fi
  if [[ -z "$keys" ]]; then
    sandbox_log "WARNING: no authorized key given (mount /etc/sandbox/authorized_keys or set SANDBOX_AUTHORIZED_KEYS)"
  fi
  printf '%s\n' "$keys" >/root/.ssh/authorized_keys
  chmod 0600 /root/.ssh/authorized_keys
  /usr/sbin/sshd -t
}

# Run sshd in the foreground-ish: as a child we wait on, so that a SIGTERM
# (docker stop/restart) can run the caller's cleanup first.
sandbox_run_sshd() {
  local stop_hook="${1:-}"
  /usr/sbin/sshd -D -e &
  local sshd_pid=$!
  # shellcheck disable=SC2064  # expand now on purpose
  trap "sandbox_log 'stopping'; ${stop_hook:+$stop_hook;} kill -TERM $sshd_pid 2>/dev/null || true; wait $sshd_pid 2>/dev/null || true; exit 0" TERM INT
  sandbox_log "sshd started (pid $sshd_pid)"
  wait "$sshd_pid"
}
