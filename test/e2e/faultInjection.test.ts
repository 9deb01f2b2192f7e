import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AAPANEL_LAYOUT } from "../../config/defaults";
import { edgeSiteScripts } from "../../render/nginx/edgeSiteScripts";
import { htpasswdScripts } from "../../render/nginx/htpasswdScripts";
import { renderHtpasswd } from "../../render/nginx/htpasswd";
import { runStandInContainers } from "../firewall/support/flaskHost";
import { dockerIsAvailable, sshTargetOf, startFreshSandbox, stopSandbox, type SandboxState } from "../firewall/support/sandboxHosts";
import { bcryptHash } from "../nginx/support/fixtures";
import {
  edgeApplyScenario,
  edgeDeleteScenario,
  edgeVariant,
  FAULT_DOMAIN,
  htpasswdApplyScenario,
  htpasswdDeleteScenario,
  requestSite,
  type EdgeWorld,
} from "./support/faultEdge";
import { aapanelFirewallScenarios, type AaPanelFirewallWorld } from "./support/faultAapanelFirewall";
import { captureFirewallVersions, firewallApplyScenario, firewallDeleteScenario, type FirewallWorld } from "./support/faultFirewall";
import { installHook, runSession } from "./support/faultHook";
import { formatReport, runScenario, seededRandom, type FaultReport, type Scenario } from "./support/faultPlan";
import { edgeSite } from "../../render/nginx/site";
import { edgePaths } from "../../render/nginx/paths";

// Every remote script, interrupted again and again on real hosts: SIGKILL at chosen steps
// (a test-only BASH_ENV hook; the rendered scripts carry nothing for it), SIGKILL of the
// whole session at random times, and SSH connections cut mid-run. After each: the live
// files or rules are the old version, the new one, or a state the script tested before
// its first step; nginx -t passes, the site answers, the LAN probe finds the web port
// closed; then a normal run converges with nothing done by hand.
const PREFIX = "cmfault";
const SEED = Number(process.env.CM_FAULT_SEED ?? 20261123);
const WEB_PORT = 8001;

let sandbox: SandboxState;
let edgeWorld: EdgeWorld;
let firewallWorld: FirewallWorld;
let aapanelWorld: AaPanelFirewallWorld;

async function mustRun(ssh: EdgeWorld["ssh"], command: string, stdin: string, what: string): Promise<void> {
  const run = await runSession(ssh, command, stdin);
  if (run.exitCode !== 0) throw new Error(`${what} failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
}

// CM_FAULT_ONLY=<part of a scenario name> runs just those (when chasing one failure).
const ONLY = process.env.CM_FAULT_ONLY;

async function runInOrder(scenarios: readonly Scenario[], random: () => number): Promise<FaultReport[]> {
  const reports: FaultReport[] = [];
  for (const scenario of scenarios.filter((candidate) => ONLY === undefined || candidate.name.includes(ONLY))) {
    const report = await runScenario(scenario, random);
    console.info(formatReport(report));
    reports.push(report);
  }
  return reports;
}

describe("remote scripts interrupted at any point on sandbox hosts", { timeout: 20 * 60_000 }, () => {
  beforeAll(async () => {
    // A missing engine fails the run: a skipped host test must never read as a pass.
    if (!dockerIsAvailable()) throw new Error("Docker is not running: start dockerd (as .ci/run does); this test needs real hosts");
    sandbox = startFreshSandbox(PREFIX, 15 * 60_000);
    const { proxy, flaskhost, lan } = sandbox.hosts;
    installHook(proxy);
    installHook(flaskhost);
    await runStandInContainers(sshTargetOf(sandbox, "flaskhost"), { web: WEB_PORT });
    const operator = (password: string) => ({ user: "fault-operator", password, line: renderHtpasswd("fault-operator", bcryptHash(password)) });
    edgeWorld = {
      ssh: sshTargetOf(sandbox, "proxy"),
      proxy,
      upstream: { address: flaskhost.address, port: WEB_PORT },
      operators: [operator("first-fault-secret"), operator("second-fault-secret")],
    };
    firewallWorld = {
      ssh: sshTargetOf(sandbox, "flaskhost"),
      flaskhost,
      proxy,
      lan,
      webPort: WEB_PORT,
      spec: { tier: "rex", webPort: WEB_PORT, apiPort: 3000, proxyAddress: proxy.address, extraAllowedSources: [], adminSources: ["any"], sshPort: 22, enableUfw: true },
    };
    // The deployer as the proxy sees it: the aaPanel firewall's only admin source, never to be locked out.
    const deployer = (await runSession(edgeWorld.ssh, 'echo "${SSH_CLIENT%% *}"', "")).stdout.trim();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(deployer)) throw new Error(`the runner's address as the proxy sees it: "${deployer}"`);
    aapanelWorld = { ssh: edgeWorld.ssh, proxy, lan, deployer };
    const htpasswd = htpasswdScripts({ tier: "sandbox", paths: edgePaths(AAPANEL_LAYOUT, "sandbox") });
    await mustRun(edgeWorld.ssh, htpasswd.create, edgeWorld.operators[0].line, "installing the htpasswd");
    const edge = edgeSiteScripts(edgeSite(edgeVariant(edgeWorld, 0), AAPANEL_LAYOUT));
    await mustRun(edgeWorld.ssh, edge.create, edge.stdin, "installing the edge site");
  }, 20 * 60_000);

  afterAll(() => {
    if (sandbox && process.env.CM_E2E_KEEP !== "1") stopSandbox(PREFIX);
  }, 5 * 60_000);

  it("every interruption leaves a tested config and a closed port, and the next run converges", async () => {
    const started = Date.now();
    expect((await requestSite(edgeWorld, FAULT_DOMAIN, edgeWorld.operators[0].password)).status, "the site answers before any fault").toBe("200");
    const firewallVersions = await captureFirewallVersions(firewallWorld);
    // The two hosts at once: the proxy's scripts share one lock, the Flask host's another.
    // The aaPanel firewall goes last on the proxy: it enables ufw there, which the edge ones run without.
    const [proxyReports, firewallReports] = await Promise.all([
      runInOrder(
        [
          edgeApplyScenario(edgeWorld),
          htpasswdApplyScenario(edgeWorld),
          htpasswdDeleteScenario(edgeWorld),
          edgeDeleteScenario(edgeWorld),
          ...aapanelFirewallScenarios(aapanelWorld),
        ],
        seededRandom(SEED),
      ),
      runInOrder([firewallApplyScenario(firewallWorld, firewallVersions), firewallDeleteScenario(firewallWorld, firewallVersions)], seededRandom(SEED + 1)),
    ]);
    const reports = [...proxyReports, ...firewallReports];
    const runs = reports.reduce((total, report) => total + report.records.length, 0);
    const failures = reports.flatMap((report) => report.records.filter((record) => record.problems.length > 0).map((record) => `${report.name}: ${record.problems.join("; ")}`));
    console.info(
      `fault injection (seed ${SEED}): ${runs} interrupted runs over ${reports.length} scripts, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(failures).toEqual([]);
    expect(reports.length, "scenarios run").toBe(ONLY === undefined ? 8 : reports.length);
    for (const report of reports) expect(report.records.length, report.name).toBeGreaterThanOrEqual(10);
  });
});
