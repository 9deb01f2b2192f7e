#!/usr/bin/env bash
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../common source=sandbox-ssh.sh
. /usr/local/lib/sandbox-ssh.sh
sandbox_ssh_setup
sandbox_run_sshd ""
