import { execFileSync } from "node:child_process";
import type { NginxLayout } from "../../config/types";
import { FIREWALL_HOST_PATHS } from "../../render/firewall/hostPaths";
import type { SandboxHost } from "../firewall/support/sandboxHosts";

/**
 * Puts the hosts back as a fresh sandbox has them before each first apply (cm-infra's,
 * the floor's, Ansible's), untimed: ufw inactive with its packaged rule files, no cm-infra
 * chain in the running firewall, no firewall or edge files of any tier. Every first apply
 * therefore pays for enabling ufw, as on a new host with firewall.enableUfw true. Docker
 * state (images, the retained database volume) is left as cm-infra's destroy leaves it.
 */
export function resetHosts(flaskHost: SandboxHost, edgeHost: SandboxHost, layout: NginxLayout): void {
  const paths = FIREWALL_HOST_PATHS;
  for (const host of [flaskHost, edgeHost]) run(host, UFW_AS_PACKAGED);
  run(
    flaskHost,
    `set -euo pipefail
for chain in $(iptables -S | sed -n 's/^-N \\(cm-infra-[^ ]*\\)$/\\1/p'); do
  while iptables -D DOCKER-USER -j "$chain" 2>/dev/null; do :; done
  iptables -F "$chain"
  iptables -X "$chain"
done
rm -rf ${dirOf(paths.fragmentDir)} ${dirOf(paths.stateDir)}`,
  );
  run(
    edgeHost,
    `set -euo pipefail
rm -f ${layout.vhostDir}/0.cm-infra-*.conf ${layout.vhostDir}/cm-infra-*.conf ${layout.vhostDir}/.cm-infra-*
rm -rf ${layout.passDir}/cm-infra-* ${layout.stateDir}
${layout.reloadCommand} >/dev/null 2>&1 || { echo "${layout.reloadCommand} failed" >&2; exit 1; }`,
  );
}

/** ufw inactive with its packaged rule files (reset keeps dated backups: dropped). The real ufw, not the probe. */
const UFW_AS_PACKAGED = `set -euo pipefail
[[ -x /usr/sbin/ufw ]] || exit 0
/usr/sbin/ufw --force reset >/dev/null
rm -f /etc/ufw/*.rules.[0-9]*_[0-9]*
[[ $(/usr/sbin/ufw status) == "Status: inactive" ]]`;

/** /etc/cm-infra/firewall.d -> /etc/cm-infra */
function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

function run(host: SandboxHost, script: string): void {
  execFileSync("docker", ["exec", "-i", host.container, "bash", "-c", script], { stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
}

/**
 * At the start only: containers and networks a killed bench left on the Flask host's engine
 * (its applier state died with it), which a converge from empty would collide with.
 * Volumes stay, as destroy leaves the retained database volume.
 */
export function clearLeftoverContainers(flaskHost: SandboxHost): void {
  run(
    flaskHost,
    `set -euo pipefail
docker ps -aq | xargs -r docker rm -f >/dev/null
docker network prune -f >/dev/null`,
  );
}
