import type { ApplierCounters } from "../e2e/applier";
import type { PhaseFigures } from "../e2e/support/meter";
import { type EventKind, type HostEvent, type Window, busySeconds, countIn } from "./probes";
import type { PeerRun, Scenario } from "./report";
import { Samples } from "./stats";

const METRICS: readonly EventKind[] = ["ssh", "ufw", "reload"];

/**
 * Who did the firewall and edge work: cm-infra as the engine runs it (independent
 * commands at once), its scripts alone one after another, the floor script one host after
 * the other and both hosts at once, Ansible (its plays run one after the other).
 */
export type Method = "converge" | "scripts" | "floor" | "floorAtOnce" | "ansible";

/** Host events by role (flaskhost, proxy). */
export type EventsByHost = ReadonlyMap<string, readonly HostEvent[]>;

/** One method's work on one host in a comparison. */
export interface Part {
  /** The spans timed as this work (each of cm-infra's commands on the host; one session or play otherwise). */
  readonly windows: readonly Window[];
  readonly role: string;
  /** Where host events are looked for, when wider than the timed spans (Ansible's whole process). */
  readonly eventWindow?: Window;
}

function counted(events: EventsByHost, role: string, windows: readonly Window[]): Record<EventKind, number> {
  const list = events.get(role) ?? [];
  return { ssh: countIn(list, "ssh", windows), ufw: countIn(list, "ufw", windows), reload: countIn(list, "reload", windows) };
}

/**
 * Everything the bench measures, one value per run under each key:
 *   cm/<scenario>/<phase>/<host>/<metric>   cm-infra (phase "all", host "all": the whole apply)
 *   at/<scenario>/<host>/<command>/<start|end>  seconds from the apply's start
 *   cmp-<method>/<run>/<work>/<metric>      the comparison (Method; work: flaskhost, proxy, remote = both)
 *   ratio/<run>/<work>/<pair>               paired per run, so both sides saw the same machine load
 */
export class BenchRecord {
  readonly samples = new Samples();
  readonly notes = new Set<string>();
  private thisRun = new Map<string, number>();

  startRun(): void {
    this.thisRun = new Map();
  }

  add(key: string, value: number): void {
    this.thisRun.set(key, value);
    this.samples.add(key, value);
  }

  cmInfra(scenario: Scenario, run: Window, figures: readonly PhaseFigures[], counters: ApplierCounters, events: EventsByHost, roles: readonly string[]): void {
    this.add(`cm/${scenario}/all/all/wall`, busySeconds([run]));
    this.add(`check/${scenario}/command-ssh`, counters.sshSessions);
    // SSH per phase is the applier's count (one connection per command or docker call), as
    // sshd's logins cannot be told apart when two phases run on one host at once; the
    // whole run's sshd logins check it. ufw calls and reloads are host events inside the
    // phase's pieces: where phases overlap on one host, one event counts for both.
    const attributed: Record<EventKind, number> = { ssh: 0, ufw: 0, reload: 0 };
    let dockerCalls = 0;
    for (const figure of figures) {
      const base = `cm/${scenario}/${figure.phase}/${figure.host}`;
      this.commandTimes(scenario, run, figure);
      const counts = { ...counted(events, figure.host, figure.pieces), ssh: figure.sshConnections };
      this.add(`${base}/wall`, busySeconds(figure.pieces));
      this.add(`${base}/docker`, figure.dockerCalls);
      dockerCalls += figure.dockerCalls;
      for (const metric of METRICS) {
        this.add(`${base}/${metric}`, counts[metric]);
        attributed[metric] += counts[metric];
      }
    }
    this.add(`cm/${scenario}/all/all/docker`, dockerCalls);
    for (const metric of METRICS) {
      const total = roles.reduce((sum, role) => sum + counted(events, role, [run])[metric], 0);
      this.add(`cm/${scenario}/all/all/${metric}`, total);
      if (metric === "ssh" && total !== attributed.ssh) this.notes.add(`${scenario}: sshd logged ${total} logins where the applier opened ${attributed.ssh} connections`);
      else if (total > attributed[metric]) this.notes.add(`${scenario}: ${total - attributed[metric]} ${metric} event(s) fell outside every phase's pieces`);
      else if (total < attributed[metric]) this.notes.add(`${scenario}: ${attributed[metric] - total} ${metric} event(s) fell where two phases ran at once on one host and count for both`);
    }
  }

  /** When each remote command started and ended, in seconds from the apply's start: what waited for what. */
  private commandTimes(scenario: Scenario, run: Window, figure: PhaseFigures): void {
    if (figure.phase === "docker") return;
    for (const piece of figure.pieces) {
      const key = `at/${scenario}/${figure.host}/${piece.what}`;
      this.add(`${key}/start`, (piece.startedAt - run.startedAt) / 1000);
      this.add(`${key}/end`, (piece.endedAt - run.startedAt) / 1000);
    }
  }

  /** cm-infra's side of the comparison: each firewall and edge command on each host in that apply, as the applier ran them. */
  cmInfraComparison(run: PeerRun, figures: readonly PhaseFigures[], events: EventsByHost): void {
    const on = (role: string) =>
      figures.filter((figure) => figure.host === role && (figure.phase === "firewall" || figure.phase === "edge")).flatMap((figure) => figure.pieces);
    const flask = on("flaskhost");
    const proxy = on("proxy");
    if (flask.length === 0 || proxy.length === 0) {
      this.notes.add(`${run}: cm-infra ran no remote script on the ${flask.length === 0 ? "Flask" : "aaPanel"} host`);
      return;
    }
    this.comparison("converge", run, { windows: flask, role: "flaskhost" }, { windows: proxy, role: "proxy" }, events);
  }

  /**
   * Wall time is the time some of the work was running: per host, that host's; for the
   * whole remote side, both hosts' together. Work run one after another adds up; work the
   * engine (or the floor, at once) runs side by side counts once.
   */
  comparison(method: Method, run: PeerRun, flaskHost: Part, aapanelHost: Part, events: EventsByHost): void {
    const totals: Record<EventKind, number> = { ssh: 0, ufw: 0, reload: 0 };
    for (const part of [flaskHost, aapanelHost]) {
      const counts = counted(events, part.role, part.eventWindow === undefined ? part.windows : [part.eventWindow]);
      this.add(`cmp-${method}/${run}/${part.role}/wall`, busySeconds(part.windows));
      for (const metric of METRICS) {
        this.add(`cmp-${method}/${run}/${part.role}/${metric}`, counts[metric]);
        totals[metric] += counts[metric];
      }
    }
    this.add(`cmp-${method}/${run}/remote/wall`, busySeconds([...flaskHost.windows, ...aapanelHost.windows]));
    for (const metric of METRICS) this.add(`cmp-${method}/${run}/remote/${metric}`, totals[metric]);
  }

  /**
   * After every method ran in this run, paired so both sides ran the same way: cm-infra as
   * the engine runs it against the floor with both hosts at once; its scripts one after
   * another and Ansible against the floor one host after the other; Ansible against both
   * of cm-infra's figures.
   */
  ratios(run: PeerRun): void {
    const wall = (method: Method, work: string) => this.thisRun.get(`cmp-${method}/${run}/${work}/wall`);
    const ratio = (key: string, value: number | undefined, base: number | undefined) => {
      if (value !== undefined && base !== undefined && base > 0) this.add(`ratio/${run}/${key}`, value / base);
    };
    for (const work of ["flaskhost", "proxy", "remote"]) {
      for (const [method, floor] of Object.entries(FLOOR_OF) as [keyof typeof FLOOR_OF, Method][]) ratio(`${work}/${method}-floor`, wall(method, work), wall(floor, work));
      ratio(`${work}/ansible-converge`, wall("ansible", work), wall("converge", work));
      ratio(`${work}/ansible-scripts`, wall("ansible", work), wall("scripts", work));
    }
    ratio("process/ansible-converge", this.thisRun.get(`cmp-ansible/${run}/process/wall`), wall("converge", "remote"));
  }
}

/** The floor each method is held against: the one that runs its hosts the same way. */
export const FLOOR_OF = { converge: "floorAtOnce", scripts: "floor", ansible: "floor" } as const satisfies Partial<Record<Method, Method>>;
