import { afterAll, beforeAll, expect, test } from "vitest";
import { alignColumns } from "../../drift/table";
import { changeCount } from "../e2e/applier";
import { SandboxDeployment } from "../e2e/support/deployment";
import { type HostFigures, HostMeter } from "../e2e/support/meter";
import { type Sandbox, startSandbox, stopSandbox } from "../e2e/support/sandbox";

// npm run bench: converge the sandbox from empty, then re-apply with nothing to do, and
// print per-host figures. It measures; it asserts no timings.
const PREFIX = process.env.CM_BENCH_PREFIX ?? "cmbench";
const rows: string[][] = [];
let sandbox: Sandbox;
let meter: HostMeter;
let deployment: SandboxDeployment;

function record(phase: string, wallSeconds: number, figures: Map<string, HostFigures>): void {
  for (const [host, figure] of [...figures].sort()) {
    rows.push([phase, host, wallSeconds.toFixed(1), figure.busySeconds.toFixed(1), String(figure.sshSessions), String(figure.dockerOperations), String(figure.nginxReloads)]);
  }
  if (figures.size === 0) rows.push([phase, "(none)", wallSeconds.toFixed(1), "0.0", "0", "0", "0"]);
}

function printTable(): void {
  const table = alignColumns([["phase", "host", "wall s", "busy s", "ssh sessions", "docker ops", "nginx reloads"], ...rows]);
  // busy s adds up the host's operations, which run in parallel: it can exceed wall s.
  console.log(`\n${table}\n(busy s: summed duration of the host's SSH sessions and docker operations; they overlap)\n`);
}

beforeAll(() => {
  const started = process.hrtime.bigint();
  sandbox = startSandbox(PREFIX);
  rows.push(["sandbox up", "(all)", (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1), "-", "-", "-", "-"]);
  const names = new Map(Object.entries(sandbox.hosts).map(([role, host]) => [host.address, role]));
  meter = new HostMeter(names);
  deployment = new SandboxDeployment(sandbox, meter);
}, 45 * 60_000);

afterAll(async () => {
  if (deployment) await deployment.destroy();
  deployment?.close();
  printTable();
  stopSandbox(PREFIX);
}, 10 * 60_000);

test("converge from empty, then a no-op re-apply", async () => {
  const first = await deployment.apply();
  record("converge from empty", first.seconds, meter.take());
  const second = await deployment.apply();
  record("no-op re-apply", second.seconds, meter.take());
  expect(changeCount(second.counters)).toBe(0);
}, 30 * 60_000);
