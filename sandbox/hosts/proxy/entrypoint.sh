#!/usr/bin/env bash
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../common source=sandbox-ssh.sh
. /usr/local/lib/sandbox-ssh.sh
sandbox_ssh_setup
rm -f /www/server/nginx/logs/nginx.pid
/etc/init.d/nginx start
sandbox_run_sshd "/etc/init.d/nginx stop >/dev/null 2>&1"
