import { mustRunOverSsh, runOverSsh, type SshTarget } from "./sshRunner";

export const STAND_IN_IMAGE = "cm-infra-test/http:latest";

/**
 * Nothing can be pulled, so the stand-in for web-view/api-server is an image made from
 * the Flask host's own python3: the interpreter, its standard library and the shared
 * libraries ldd names (both the link and its target, as paths below usr/ because
 * /lib is a symlink there), serving `python3 -m http.server 8000`. About 35 MB.
 */
const BUILD_STAND_IN_IMAGE = `set -euo pipefail
docker image inspect ${STAND_IN_IMAGE} >/dev/null 2>&1 && exit 0
mapfile -t libraries < <(
  for library in $(ldd /usr/bin/python3.11 | grep -o '/[^ ]*'); do
    folder=$(readlink -f "$(dirname "$library")")
    echo "\${folder#/}/$(basename "$library")"
    readlink -f "$library" | sed 's#^/##'
  done | sort -u)
tar -C / --exclude=usr/lib/python3.11/test --exclude=__pycache__ -cf - \\
  bin lib lib64 usr/bin/python3 usr/bin/python3.11 usr/lib/python3.11 "\${libraries[@]}" |
  docker import -c 'CMD ["/usr/bin/python3", "-m", "http.server", "8000"]' - ${STAND_IN_IMAGE} >/dev/null
`;

/** Publishes one stand-in container per name on the given host port (container port 8000). */
export async function runStandInContainers(host: SshTarget, published: Readonly<Record<string, number>>): Promise<void> {
  await mustRunOverSsh(host, BUILD_STAND_IN_IMAGE);
  for (const [name, hostPort] of Object.entries(published)) {
    await mustRunOverSsh(
      host,
      `docker rm -f ${name} >/dev/null 2>&1 || true; ` +
        `docker run -d --restart always --name ${name} -p ${hostPort}:8000 ${STAND_IN_IMAGE} >/dev/null`,
    );
  }
}

/** HTTP status `from` gets for url, "000" when nothing answers within 3 s. */
export async function httpStatusFrom(from: SshTarget, url: string): Promise<string> {
  const result = await runOverSsh(from, `curl -s -o /dev/null -w '%{http_code}' --max-time 3 '${url}'`, {
    timeoutMs: 20_000,
  });
  return result.stdout.trim() || "000";
}

/** Polls until the status is the expected one (a fresh container needs a moment). */
export async function waitForHttpStatus(from: SshTarget, url: string, expected: string, attempts = 20): Promise<string> {
  let status = "";
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    status = await httpStatusFrom(from, url);
    if (status === expected) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return status;
}

/** The sandbox host has no service manager: stop dockerd, start it again, wait for the containers. */
export async function restartInnerDockerd(host: SshTarget, containers: readonly string[]): Promise<void> {
  await mustRunOverSsh(
    host,
    `set -euo pipefail
pid=$(cat /var/run/docker.pid)
kill -TERM "$pid"
for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then echo "dockerd did not stop" >&2; exit 1; fi
rm -f /var/run/docker.pid
setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
for _ in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
for _ in $(seq 120); do
  [[ "$(docker inspect -f '{{.State.Running}}' ${containers.join(" ")} | sort -u)" == true ]] && exit 0
  sleep 0.5
done
echo "containers did not come back" >&2; exit 1`,
    180_000,
  );
}

/** What an unchanged apply must leave byte for byte the same (counters left out). */
export async function firewallSnapshot(host: SshTarget): Promise<string> {
  return mustRunOverSsh(
    host,
    `iptables-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]$//'; ufw status verbose; ufw show added; cat /etc/ufw/after.rules`,
  );
}
