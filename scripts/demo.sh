#!/usr/bin/env bash
# npm run demo: the sandbox tier end to end on this machine with the real Pulumi CLI.
# Starts the sandbox hosts, deploys the `sandbox` stack on a local file backend (no
# Pulumi Cloud login, no passphrase prompt) and prints how to reach the result.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pulumi >/dev/null 2>&1; then
  echo "demo: the Pulumi CLI is not installed; nothing was started." >&2
  echo "      Install it (https://www.pulumi.com/docs/install/): curl -fsSL https://get.pulumi.com | sh" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "demo: Docker is not running; start it (e.g. sudo systemctl start docker) and try again." >&2
  exit 1
fi

npm run --silent sandbox:up

# The sandbox's secrets are throwaway: an empty passphrase keeps the demo prompt-free.
export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p .pulumi
pulumi stack select sandbox --create --non-interactive
pulumi up --stack sandbox --yes --non-interactive --skip-preview

proxy="$(node -e 'console.log(JSON.parse(require("fs").readFileSync("sandbox/.state/cmsbx/sandbox.json","utf8")).hosts.proxy.address)')"
user="$(pulumi stack output operatorUser --stack sandbox)"
cat <<EOT

The sandbox is deployed.
  URL:       http://cm.sandbox.test/  (the name resolves to the proxy host $proxy)
  Try it:    curl -u $user --resolve cm.sandbox.test:80:$proxy http://cm.sandbox.test/api/acc/
  User:      $user
  Password:  pulumi stack output operatorPassword --show-secrets --stack sandbox
  Drift:     npm run drift -- --stack sandbox
  Tear down: pulumi destroy --stack sandbox --yes && npm run sandbox:down
EOT
