import { execFileSync, spawnSync } from "node:child_process";
import type { Span } from "../e2e/support/meter";
import type { SandboxHost } from "../firewall/support/sandboxHosts";

/**
 * Counted on the hosts themselves, so cm-infra, the floor script and Ansible are counted
 * the same way: an SSH connection is sshd's "Accepted publickey" line (the sandbox's sshd
 * logs to the container's log), a ufw call is a run of a probe that stands in front of
 * /usr/sbin/ufw on PATH, an nginx reload is a run of `nginx -s reload` through a probe at
 * the aaPanel binary path. Each probe notes the time and execs the real program (a bash
 * start, a few milliseconds, against the 0.1-0.4 s a ufw run costs).
 */
export type EventKind = "ssh" | "ufw" | "reload";

export interface HostEvent {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly kind: EventKind;
}

export type Window = Span;

const EVENT_DIR = "/run/cm-bench";
const EVENT_FILE = `${EVENT_DIR}/events`;

const UFW_PROBE = `#!/bin/bash
# cm-infra bench probe (test/bench/probes.ts): notes the run, then runs ufw.
printf '%s ufw\\n' "$EPOCHREALTIME" >>${EVENT_FILE}
exec /usr/sbin/ufw "$@"
`;

function nginxProbe(realBinary: string): string {
  return `#!/bin/bash
# cm-infra bench probe (test/bench/probes.ts): notes a reload, then runs nginx.
if [[ " $* " == *" -s reload "* ]]; then printf '%s reload\\n' "$EPOCHREALTIME" >>${EVENT_FILE}; fi
exec ${realBinary} "$@"
`;
}

function onHost(host: SandboxHost, script: string): string {
  return execFileSync("docker", ["exec", "-i", host.container, "bash", "-c", script], { encoding: "utf8", timeout: 60_000 });
}

/** Puts the probes in place (idempotent): ufw's on every host that has ufw, nginx's on the edge host. */
export function installProbes(hosts: readonly SandboxHost[], edgeHost: SandboxHost, nginxBinary: string): void {
  for (const host of hosts) {
    onHost(
      host,
      `set -euo pipefail; mkdir -p ${EVENT_DIR}; : >>${EVENT_FILE}
[[ -x /usr/sbin/ufw ]] || exit 0
cat >/usr/local/sbin/ufw <<'PROBE'
${UFW_PROBE}PROBE
chmod 0755 /usr/local/sbin/ufw
[[ $(command -v ufw) == /usr/local/sbin/ufw ]] || { echo "the ufw probe is not first on PATH" >&2; exit 1; }`,
    );
  }
  const real = onHost(edgeHost, `readlink -f ${nginxBinary}`).trim();
  if (real === nginxBinary) {
    // Already a probe (a kept sandbox).
    onHost(edgeHost, `grep -q 'cm-infra bench probe' ${nginxBinary}`);
    return;
  }
  onHost(
    edgeHost,
    `set -euo pipefail
rm -f ${nginxBinary}
cat >${nginxBinary} <<'PROBE'
${nginxProbe(real)}PROBE
chmod 0755 ${nginxBinary}`,
  );
}

/** "1700000000.123456 ufw" lines. */
function probeEvents(host: SandboxHost): HostEvent[] {
  return onHost(host, `cat ${EVENT_FILE} 2>/dev/null || true`)
    .split("\n")
    .map((line) => /^([0-9]+)[.,]([0-9]{6}) (ufw|reload)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ at: Number(match[1]) * 1000 + Number(match[2]) / 1000, kind: match[3] as EventKind }));
}

/** docker logs --timestamps lines: "2026-11-23T12:16:01.123456789Z Accepted publickey for root ...". */
function parseAccepts(text: string): HostEvent[] {
  const events: HostEvent[] = [];
  for (const line of text.split("\n")) {
    const match = /^([0-9-]+T[0-9:]+)(?:\.([0-9]+))?Z Accepted publickey /.exec(line);
    if (!match) continue;
    const fraction = (match[2] ?? "0").padEnd(6, "0").slice(0, 6);
    events.push({ at: Date.parse(`${match[1]}Z`) + Number(fraction) / 1000, kind: "ssh" });
  }
  return events;
}

/** Every probe event and SSH login on the host since `sinceMs`. */
export function hostEvents(host: SandboxHost, sinceMs: number): HostEvent[] {
  // sshd -e logs to stderr, which docker logs replays on its own stderr.
  const logs = spawnSync("docker", ["logs", "--timestamps", "--since", ((sinceMs - 1000) / 1000).toFixed(3), host.container], {
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (logs.status !== 0) throw new Error(`docker logs ${host.container} failed: ${logs.stderr}`);
  return [...parseAccepts(`${logs.stdout}\n${logs.stderr}`), ...probeEvents(host)].filter((event) => event.at >= sinceMs - 1000);
}

/** Events of one kind inside any of the windows, each once (a few ms of slack: docker stamps log lines when it reads them). */
export function countIn(events: readonly HostEvent[], kind: EventKind, windows: readonly Window[]): number {
  return events.filter((event) => event.kind === kind && windows.some((window) => event.at >= window.startedAt && event.at <= window.endedAt + 20)).length;
}

/**
 * Seconds during which at least one of the windows was open: the wall time of work whose
 * pieces may overlap (the engine runs independent commands at once) or not (one after
 * another: then it is their sum).
 */
export function busySeconds(windows: readonly Window[]): number {
  const sorted = [...windows].sort((left, right) => left.startedAt - right.startedAt);
  let total = 0;
  let open: Window | undefined;
  for (const window of sorted) {
    if (open !== undefined && window.startedAt <= open.endedAt) {
      open = { startedAt: open.startedAt, endedAt: Math.max(open.endedAt, window.endedAt) };
      continue;
    }
    if (open !== undefined) total += open.endedAt - open.startedAt;
    open = window;
  }
  if (open !== undefined) total += open.endedAt - open.startedAt;
  return total / 1000;
}
