import { openSshExecutor } from "../applier";
import type { DockerRunner, SshExecutor } from "../applier";

/** What a piece of remote work belongs to: the program's three kinds of host work. */
export type Phase = "firewall" | "edge" | "docker" | "other";

/** Epoch milliseconds. */
export interface Span {
  readonly startedAt: number;
  readonly endedAt: number;
}

/** One remote command (named by what it does: "htpasswd", "edge site"...) or one docker call ("docker"). */
export interface Piece extends Span {
  readonly what: string;
}

/** One phase's work on one host since the last take(). */
export interface PhaseFigures {
  readonly phase: Phase;
  readonly host: string;
  /**
   * Each piece of work (a remote command, a docker call) as it ran. Phases overlap (the
   * htpasswd is written while Docker works), so a phase's wall time is the time some
   * piece of it was running, not the span from its first start to its last end.
   */
  readonly pieces: readonly Piece[];
  /** SSH connections the applier opened: one per remote command, one per docker call (docker over ssh). */
  readonly sshConnections: number;
  readonly dockerCalls: number;
}

/** Milliseconds since the epoch, sub-millisecond; the hosts' $EPOCHREALTIME reads the same clock. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Which phase a piece of work belongs to, and what it is. */
export interface Work {
  readonly phase: Phase;
  readonly what: string;
}

/** Every docker call (over SSH, to the Flask host's engine). */
const DOCKER_CALL: Work = { phase: "docker", what: "docker" };

/**
 * The remote scripts say who they are in their text (cm-infra's renderers): both hosts'
 * firewalls are the phase "firewall", the site and the htpasswd file the phase "edge".
 */
export function workOfCommand(command: string): Work {
  const firewall = /cm-infra (aapanel )?firewall /.exec(command);
  if (firewall !== null) return { phase: "firewall", what: firewall[1] === undefined ? "Flask host firewall" : "aaPanel firewall" };
  const edge = /# cm-infra (edge site|htpasswd) for tier /.exec(command);
  if (edge !== null) return { phase: "edge", what: edge[1] ?? "edge" };
  return { phase: "other", what: "other command" };
}

/** Per phase and host figures for the benchmark, taken by wrapping the applier's transports. */
export class HostMeter {
  private readonly figures = new Map<string, PhaseFigures>();

  constructor(private readonly names: ReadonlyMap<string, string>) {}

  private record({ phase, what }: Work, address: string, startedAt: number, endedAt: number): void {
    const host = this.names.get(address) ?? address;
    const key = `${phase} ${host}`;
    const old = this.figures.get(key);
    this.figures.set(key, {
      phase,
      host,
      pieces: [...(old?.pieces ?? []), { what, startedAt, endedAt }],
      sshConnections: (old?.sshConnections ?? 0) + 1,
      dockerCalls: (old?.dockerCalls ?? 0) + (phase === DOCKER_CALL.phase ? 1 : 0),
    });
  }

  ssh(inner: SshExecutor = openSshExecutor()): SshExecutor {
    return async (session) => {
      const startedAt = epochMs();
      try {
        return await inner(session);
      } finally {
        this.record(workOfCommand(session.command), session.connection.host, startedAt, epochMs());
      }
    };
  }

  /** `inner` must open one SSH connection per call (dockerOverSsh does). */
  docker(address: string, inner: DockerRunner): DockerRunner {
    return async (args, environment, invocation) => {
      const startedAt = epochMs();
      try {
        return await inner(args, environment, invocation);
      } finally {
        this.record(DOCKER_CALL, address, startedAt, epochMs());
      }
    };
  }

  /** Figures since the last take, then starts counting afresh. */
  take(): PhaseFigures[] {
    const taken = [...this.figures.values()];
    this.figures.clear();
    return taken;
  }
}
