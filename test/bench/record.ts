import type { ApplierCounters } from "../e2e/applier";
import type { PhaseFigures } from "../e2e/support/meter";
import { type EventKind, type HostEvent, type Window, countIn } from "./probes";
import type { PeerRun, Scenario } from "./report";
import { Samples } from "./stats";

const METRICS: readonly EventKind[] = ["ssh", "ufw", "reload"];

/**
 * Who did the firewall and edge work: cm-infra inside a converge (its phases there), its
 * scripts alone, the floor script, Ansible.
 */
export type Method = "converge" | "scripts" | "floor" | "ansible";

/** Host events by role (flaskhost, proxy). */
export type EventsByHost = ReadonlyMap<string, readonly HostEvent[]>;

/** One method's work on one host in a comparison. */
export interface Part {
  /** The spans timed as this work (cm-infra's phases on the host; one session or play otherwise). */
  readonly windows: readonly Window[];
  readonly role: string;
  /** Where host events are looked for, when wider than the timed spans (Ansible's whole process). */
  readonly eventWindow?: Window;
}

function seconds(window: Window): number {
  return (window.endedAt - window.startedAt) / 1000;
}

function counted(events: EventsByHost, role: string, window: Window): Record<EventKind, number> {
  const list = events.get(role) ?? [];
  return { ssh: countIn(list, "ssh", window), ufw: countIn(list, "ufw", window), reload: countIn(list, "reload", window) };
}

/**
 * Everything the bench measures, one value per run under each key:
 *   cm/<scenario>/<phase>/<host>/<metric>   cm-infra (phase "all", host "all": the whole apply)
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
    this.add(`cm/${scenario}/all/all/wall`, seconds(run));
    this.add(`check/${scenario}/command-ssh`, counters.sshSessions);
    const attributed: Record<EventKind, number> = { ssh: 0, ufw: 0, reload: 0 };
    let dockerCalls = 0;
    for (const figure of figures) {
      const base = `cm/${scenario}/${figure.phase}/${figure.host}`;
      const counts = counted(events, figure.host, figure);
      this.add(`${base}/wall`, seconds(figure));
      this.add(`${base}/docker`, figure.dockerCalls);
      dockerCalls += figure.dockerCalls;
      for (const metric of METRICS) {
        this.add(`${base}/${metric}`, counts[metric]);
        attributed[metric] += counts[metric];
      }
      if (counts.ssh !== figure.sshConnections) {
        this.notes.add(`${scenario}, ${figure.phase} on ${figure.host}: sshd logged ${counts.ssh} logins where the applier opened ${figure.sshConnections} connections`);
      }
    }
    this.add(`cm/${scenario}/all/all/docker`, dockerCalls);
    for (const metric of METRICS) {
      const total = roles.reduce((sum, role) => sum + counted(events, role, run)[metric], 0);
      this.add(`cm/${scenario}/all/all/${metric}`, total);
      if (total !== attributed[metric]) this.notes.add(`${scenario}: ${total - attributed[metric]} ${metric} event(s) fell outside every phase's span`);
    }
  }

  /** cm-infra's side of the comparison: its firewall and edge phases on each host in that apply. */
  cmInfraComparison(run: PeerRun, figures: readonly PhaseFigures[], events: EventsByHost): void {
    const on = (role: string) => figures.filter((figure) => figure.host === role && (figure.phase === "firewall" || figure.phase === "edge"));
    const flask = on("flaskhost");
    const proxy = on("proxy");
    if (flask.length === 0 || proxy.length === 0) {
      this.notes.add(`${run}: cm-infra ran no remote script on the ${flask.length === 0 ? "Flask" : "aaPanel"} host`);
      return;
    }
    this.comparison("converge", run, { windows: flask, role: "flaskhost" }, { windows: proxy, role: "proxy" }, events);
  }

  comparison(method: Method, run: PeerRun, flaskHost: Part, aapanelHost: Part, events: EventsByHost): void {
    const totals: Record<string, number> = { wall: 0, ssh: 0, ufw: 0, reload: 0 };
    for (const part of [flaskHost, aapanelHost]) {
      const values: Record<string, number> = { wall: 0, ssh: 0, ufw: 0, reload: 0 };
      for (const window of part.eventWindow === undefined ? part.windows : [part.eventWindow]) {
        const counts = counted(events, part.role, window);
        for (const metric of METRICS) values[metric] = (values[metric] ?? 0) + counts[metric];
      }
      values.wall = part.windows.reduce((sum, window) => sum + seconds(window), 0);
      for (const [metric, value] of Object.entries(values)) {
        this.add(`cmp-${method}/${run}/${part.role}/${metric}`, value);
        totals[metric] = (totals[metric] ?? 0) + value;
      }
    }
    for (const [metric, value] of Object.entries(totals)) this.add(`cmp-${method}/${run}/remote/${metric}`, value);
  }

  /** After every method ran in this run: each against the floor, Ansible against the converge. */
  ratios(run: PeerRun): void {
    const wall = (method: Method, work: string) => this.thisRun.get(`cmp-${method}/${run}/${work}/wall`);
    for (const work of ["flaskhost", "proxy", "remote"]) {
      const floor = wall("floor", work);
      for (const method of ["converge", "scripts", "ansible"] as const) {
        const value = wall(method, work);
        if (value !== undefined && floor !== undefined && floor > 0) this.add(`ratio/${run}/${work}/${method}-floor`, value / floor);
      }
      const converge = wall("converge", work);
      const ansible = wall("ansible", work);
      if (converge !== undefined && ansible !== undefined && converge > 0) this.add(`ratio/${run}/${work}/ansible-converge`, ansible / converge);
    }
    const converge = wall("converge", "remote");
    const process = this.thisRun.get(`cmp-ansible/${run}/process/wall`);
    if (converge !== undefined && process !== undefined && converge > 0) this.add(`ratio/${run}/process/ansible-converge`, process / converge);
  }
}
