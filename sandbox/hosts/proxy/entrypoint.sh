#!/usr/bin/env bash
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../common source=sandbox-ssh.sh
. /usr/local/lib/sandbox-ssh.sh
sandbox_ssh_setup
# ufw as at boot (no systemd): ufw-init applies the rules only when /etc/ufw/ufw.conf says
# ENABLED=yes, so a fresh host starts with ufw inactive and whatever enabled it (cm-infra's
# aaPanel firewall, with aapanelHost.firewall.enableUfw) keeps it after `docker restart`.
# Needs --cap-add NET_ADMIN once enabled (sandbox/up.sh gives it).
/lib/ufw/ufw-init start
sandbox_log "ufw: $(ufw status | head -n1)"
rm -f /www/server/nginx/logs/nginx.pid
/etc/init.d/nginx start
sandbox_run_sshd "/etc/init.d/nginx stop >/dev/null 2>&1"
