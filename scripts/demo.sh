#!/usr/bin/env bash
# npm run demo: the sandbox tier end to end on this machine with the real Pulumi CLI.
# Starts the sandbox hosts, deploys the `sandbox` stack on a local file backend (no
# Pulumi Cloud login, no passphrase prompt) and prints how to reach the result.
# npm run demo -- --down: destroys and removes that stack, then removes the sandbox hosts.
#
# The Pulumi CLI is the one on PATH, else the version pinned in .pulumi-version, installed
# into .pulumi/cli/<version> on first use (scripts/pulumiCli.ts).
# Exit status: 0 done; 2 unknown argument; 3 no Pulumi CLI and the pinned one could not be
# installed (nothing was started or removed); otherwise the failing step's own status.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1-}" in
  "") action=up ;;
  --down) action=down ;;
  *)
    echo "usage: npm run demo [-- --down]" >&2
    exit 2
    ;;
esac

pulumi_command="$(node_modules/.bin/tsx scripts/pulumiCli.ts demo)" || exit $?
if [[ "$pulumi_command" == /* ]]; then
  # The installed CLI's folder also holds its language plugins: put it first on PATH.
  PATH="$(dirname "$pulumi_command"):$PATH"
  export PATH
fi

# The sandbox's secrets are throwaway: an empty passphrase keeps the demo prompt-free.
export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=true

if ! docker info >/dev/null 2>&1; then
  echo "demo: Docker is not running; start it (e.g. sudo systemctl start docker) and try again." >&2
  exit 1
fi

if [[ "$action" == down ]]; then
  if pulumi stack select sandbox --non-interactive >/dev/null 2>&1; then
    if ! pulumi destroy --stack sandbox --yes --non-interactive --skip-preview; then
      # Every resource lives on the sandbox hosts, which are removed next.
      echo "demo: destroy failed; removing the stack anyway, the sandbox hosts go next" >&2
    fi
    # --preserve-config: stack rm would otherwise delete the committed Pulumi.sandbox.yaml.
    pulumi stack rm sandbox --yes --force --preserve-config --remove-backups --non-interactive
  else
    echo "demo: no sandbox stack in .pulumi/; removing the sandbox hosts" >&2
  fi
  npm run --silent sandbox:down
  echo "The demo is torn down: the sandbox stack and hosts are gone (images and .pulumi/cli are kept)."
  exit 0
fi

npm run --silent sandbox:up

mkdir -p .pulumi
pulumi stack select sandbox --create --non-interactive
pulumi up --stack sandbox --yes --non-interactive --skip-preview

# The commands printed below work from a fresh shell in this folder.
pulumi_env="PULUMI_BACKEND_URL=file://$PWD/.pulumi"
if [[ -z "$PULUMI_CONFIG_PASSPHRASE" ]]; then pulumi_env+=" PULUMI_CONFIG_PASSPHRASE="; fi
pulumi_shown="$(command -v pulumi)"
proxy="$(node -e 'console.log(JSON.parse(require("fs").readFileSync("sandbox/.state/cmsbx/sandbox.json","utf8")).hosts.proxy.address)')"
user="$(pulumi stack output operatorUser --stack sandbox)"
cat <<EOT

The sandbox is deployed.
  URL:       http://cm.sandbox.test/  (the name resolves to the proxy host $proxy)
  Try it:    curl -u $user --resolve cm.sandbox.test:80:$proxy http://cm.sandbox.test/api/acc/
  User:      $user
  Password:  $pulumi_env $pulumi_shown stack output operatorPassword --show-secrets --stack sandbox
  Drift:     npm run drift -- --stack sandbox
  Tear down: npm run demo -- --down
EOT
