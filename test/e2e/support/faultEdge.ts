import { spawn } from "node:child_process";
import { AAPANEL_LAYOUT } from "../../../config/defaults";
import { edgePaths } from "../../../render/nginx/paths";
import { edgeSiteScripts } from "../../../render/nginx/edgeSiteScripts";
import { edgeSite } from "../../../render/nginx/site";
import { htpasswdScripts } from "../../../render/nginx/htpasswdScripts";
import type { EdgeSiteSettings } from "../../../render/nginx/types";
import { sha256Hex } from "../../../render/nginx/fileFrames";
import type { SandboxHost } from "../../firewall/support/sandboxHosts";
import type { SshTarget } from "../../firewall/support/sshRunner";
import { runSession } from "./faultHook";
import { onHostAsync, versionFlip, type Scenario, type Script } from "./faultPlan";

export const FAULT_DOMAIN = "fault.cm.test";
const TIER = "sandbox";
const NGINX_TEST = `${AAPANEL_LAYOUT.nginxBinary} -t -c ${AAPANEL_LAYOUT.nginxConf}`;
const PATHS = edgePaths(AAPANEL_LAYOUT, TIER);

export interface Operator {
  readonly user: string;
  readonly password: string;
  readonly line: string;
}

export interface EdgeWorld {
  readonly ssh: SshTarget;
  readonly proxy: SandboxHost;
  readonly upstream: { readonly address: string; readonly port: number };
  /** Two operators: the htpasswd scenarios switch between them, the edge ones use the first. */
  readonly operators: readonly [Operator, Operator];
}

/** Two versions that differ in the zone (rate and size) and in the server (burst and CSP), the hardest case. */
export function edgeVariant(world: EdgeWorld, variant: 0 | 1): EdgeSiteSettings {
  return {
    tier: TIER,
    domain: FAULT_DOMAIN,
    upstream: world.upstream,
    rateLimit: variant === 0 ? { ratePerSecond: 30, zoneSizeMb: 1, burst: 60 } : { ratePerSecond: 40, zoneSizeMb: 2, burst: 80 },
    contentSecurityPolicy: variant === 0 ? "default-src 'self'" : "default-src 'none'",
    hstsMaxAgeSeconds: 31536000,
    listenPort: 80,
    tls: null,
    http2: false,
  };
}

function applyScript(world: EdgeWorld, variant: 0 | 1): Script {
  const scripts = edgeSiteScripts(edgeSite(edgeVariant(world, variant), AAPANEL_LAYOUT));
  return { command: scripts.update, stdin: scripts.stdin };
}

/** Status and headers of a request through the edge; credentials go to curl on stdin. */
export function requestSite(world: EdgeWorld, host: string, password?: string): Promise<{ status: string; headers: string }> {
  const config = password === undefined ? "" : `user = "${world.operators[0].user}:${password}"\n`;
  return new Promise((resolve, reject) => {
    const child = spawn("curl", ["-s", "-o", "/dev/null", "-D", "-", "--max-time", "10", "-K", "-", "-H", `Host: ${host}`, "-w", "%{http_code}", `http://${world.ssh.address}/`]);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const status = stdout.slice(-3);
      resolve({ status, headers: stdout.slice(0, -3).toLowerCase() });
    });
    // A child that exits before reading its stdin (a host mid-reboot refusing the
    // connection) must fail its own check, not crash the run with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(config);
  });
}

async function nginxTestProblems(world: EdgeWorld): Promise<string[]> {
  const test = await onHostAsync(world.proxy, `${NGINX_TEST} 2>&1`);
  return test.status === 0 ? [] : [`nginx -t fails on the live config: ${test.stdout.trim()}`];
}

/** Scratch files and markers a finished run must not leave. */
async function leftoverProblems(world: EdgeWorld): Promise<string[]> {
  const found = await onHostAsync(
    world.proxy,
    `ls -A ${AAPANEL_LAYOUT.vhostDir} ${AAPANEL_LAYOUT.nginxConf.replace(/\/[^/]*$/, "")} ${PATHS.tierStateDir} 2>/dev/null | grep -E '^[.]cm-infra-|^work[.]|^reload-pending$' || true`,
  );
  return found.stdout.trim() === "" ? [] : [`left behind: ${found.stdout.trim().split("\n").join(" ")}`];
}

/**
 * Which version the live site file holds: "v0", "v1", "none" when absent, "other" when
 * neither. A zone file of the old two-file layout beside it shows as " +0.conf", so a
 * state that is not exactly one version's set never matches a version's label.
 */
function edgeLabeller(world: EdgeWorld): () => Promise<string> {
  const versions = [0, 1].map((variant) => edgeSite(edgeVariant(world, variant as 0 | 1), AAPANEL_LAYOUT).files.map((file) => sha256Hex(file.content)).join(" "));
  const name = (hashes: string) => {
    const index = versions.indexOf(hashes);
    return index === -1 ? "other" : `v${index}`;
  };
  return async () => {
    const read = await onHostAsync(
      world.proxy,
      `if [ -e ${PATHS.siteConf} ]; then sha256sum <${PATHS.siteConf} | cut -d' ' -f1; else echo none; fi; if [ -e ${PATHS.legacyHttpLevelConf} ]; then echo legacy; fi`,
    );
    const [site = "", legacy] = read.stdout.trim().split("\n");
    return `${site === "none" ? "none" : name(site)}${legacy === undefined ? "" : " +0.conf"}`;
  };
}

/** The edge site's create/update script, switching between two versions. */
export function edgeApplyScenario(world: EdgeWorld): Scenario {
  const flip = versionFlip();
  const label = (variant: number) => `v${variant}`;
  return {
    name: "edge site create/update",
    ssh: world.ssh,
    host: world.proxy,
    focus: /^mark_reload_pending$/,
    runs: { step: 28, group: 6, ssh: 6 },
    async setUp() {
      const { from, to } = flip();
      // One file, one rename: the live folder holds exactly the old version or the new one.
      return { script: applyScript(world, to), allowed: [label(from), label(to)], target: label(to) };
    },
    state: edgeLabeller(world),
    async checkLive() {
      const [tested, site] = await Promise.all([nginxTestProblems(world), requestSite(world, FAULT_DOMAIN, world.operators[0].password)]);
      return [...tested, ...(site.status === "200" ? [] : [`the site answered ${site.status}, not 200`])];
    },
    async checkConverged(target) {
      const variant = Number(target.slice(-1)) as 0 | 1;
      const [state, tested, leftovers, site] = await Promise.all([
        edgeLabeller(world)(),
        nginxTestProblems(world),
        leftoverProblems(world),
        requestSite(world, FAULT_DOMAIN, world.operators[0].password),
      ]);
      const csp = edgeVariant(world, variant).contentSecurityPolicy;
      return [
        ...(state === target ? [] : [`converged to "${state}", not "${target}"`]),
        ...tested,
        ...leftovers,
        // Served, not just installed: the reload happened.
        ...(site.headers.includes(`content-security-policy: ${csp}`) ? [] : [`nginx does not serve version ${variant} (status ${site.status})`]),
      ];
    },
  };
}

/** The edge site's delete script, from the installed site each time. */
export function edgeDeleteScenario(world: EdgeWorld): Scenario {
  const deleteScript: Script = { command: edgeSiteScripts(edgeSite(edgeVariant(world, 0), AAPANEL_LAYOUT)).delete, stdin: "" };
  return {
    name: "edge site delete",
    ssh: world.ssh,
    host: world.proxy,
    focus: /^mark_reload_pending$/,
    runs: { step: 12, group: 2, ssh: 2 },
    async setUp() {
      const created = await runSession(world.ssh, applyScript(world, 0).command, applyScript(world, 0).stdin);
      if (created.exitCode !== 0) throw new Error(`re-creating the edge site failed: ${created.stderr}`);
      return { script: deleteScript, allowed: ["v0", "none"], target: "none" };
    },
    state: edgeLabeller(world),
    async checkLive() {
      const [tested, panel] = await Promise.all([nginxTestProblems(world), requestSite(world, "other.cm.test")]);
      return [...tested, ...(panel.status === "404" ? [] : [`the panel's default site answered ${panel.status}, not 404`])];
    },
    async checkConverged(target) {
      const [state, tested, leftovers, site, manifest] = await Promise.all([
        edgeLabeller(world)(),
        nginxTestProblems(world),
        leftoverProblems(world),
        requestSite(world, FAULT_DOMAIN),
        onHostAsync(world.proxy, `test ! -e ${PATHS.manifest}`),
      ]);
      return [
        ...(state === target ? [] : [`converged to "${state}", not "${target}"`]),
        ...tested,
        ...leftovers,
        ...(site.status === "404" ? [] : [`the removed site still answers ${site.status} (no reload?)`]),
        ...(manifest.status === 0 ? [] : ["the manifest is still there"]),
      ];
    },
  };
}

function htpasswdLabeller(world: EdgeWorld): () => Promise<string> {
  const hashes = world.operators.map((operator) => sha256Hex(operator.line));
  return async () => {
    const read = await onHostAsync(world.proxy, `if [ -e ${PATHS.htpasswdFile} ]; then sha256sum <${PATHS.htpasswdFile} | cut -d' ' -f1; else echo none; fi`);
    const hash = read.stdout.trim();
    return hash === "none" ? "none" : hashes.indexOf(hash) === -1 ? "other" : `p${hashes.indexOf(hash)}`;
  };
}

async function htpasswdLeftovers(world: EdgeWorld): Promise<string[]> {
  const found = await onHostAsync(world.proxy, `ls -A ${PATHS.htpasswdDir} 2>/dev/null | grep '^[.]cm-infra-tmp' || true`);
  return found.stdout.trim() === "" ? [] : [`left behind: ${found.stdout.trim().split("\n").join(" ")}`];
}

function htpasswdApply(world: EdgeWorld, operator: 0 | 1): Script {
  return { command: htpasswdScripts({ tier: TIER, paths: PATHS }).update, stdin: world.operators[operator].line };
}

/** The htpasswd create/update script, rotating between two passwords. */
export function htpasswdApplyScenario(world: EdgeWorld): Scenario {
  const flip = versionFlip();
  return {
    name: "htpasswd create/update",
    ssh: world.ssh,
    host: world.proxy,
    focus: /^take_lock$/,
    runs: { step: 28, group: 6, ssh: 6 },
    async setUp() {
      const { from, to } = flip();
      return { script: htpasswdApply(world, to), allowed: [`p${from}`, `p${to}`], target: `p${to}` };
    },
    state: htpasswdLabeller(world),
    async checkLive(state) {
      const operator = world.operators[Number(state.slice(1))];
      if (operator === undefined) return [];
      const site = await requestSite(world, FAULT_DOMAIN, operator.password);
      return site.status === "200" ? [] : [`the site answered ${site.status} to the password of ${state}`];
    },
    async checkConverged(target) {
      const index = Number(target.slice(1)) as 0 | 1;
      const [state, mode, leftovers, right, wrong] = await Promise.all([
        htpasswdLabeller(world)(),
        onHostAsync(world.proxy, `stat -c '%a %U:%G' ${PATHS.htpasswdFile}`),
        htpasswdLeftovers(world),
        requestSite(world, FAULT_DOMAIN, world.operators[index].password),
        requestSite(world, FAULT_DOMAIN, world.operators[index === 0 ? 1 : 0].password),
      ]);
      return [
        ...(state === target ? [] : [`converged to "${state}", not "${target}"`]),
        ...(mode.stdout.trim() === "640 root:www" ? [] : [`mode and owner ${mode.stdout.trim()}`]),
        ...leftovers,
        ...(right.status === "200" && wrong.status === "401" ? [] : [`new password ${right.status}, old one ${wrong.status}`]),
      ];
    },
  };
}

/** The htpasswd delete script, from the installed file each time. */
export function htpasswdDeleteScenario(world: EdgeWorld): Scenario {
  return {
    name: "htpasswd delete",
    ssh: world.ssh,
    host: world.proxy,
    focus: /^take_lock$/,
    runs: { step: 8, group: 2, ssh: 2 },
    async setUp() {
      const created = await runSession(world.ssh, htpasswdApply(world, 0).command, htpasswdApply(world, 0).stdin);
      if (created.exitCode !== 0) throw new Error(`re-creating the htpasswd failed: ${created.stderr}`);
      return { script: { command: htpasswdScripts({ tier: TIER, paths: PATHS }).delete, stdin: "" }, allowed: ["p0", "none"], target: "none" };
    },
    state: htpasswdLabeller(world),
    async checkLive() {
      return nginxTestProblems(world);
    },
    async checkConverged(target) {
      const [state, folder] = await Promise.all([htpasswdLabeller(world)(), onHostAsync(world.proxy, `test ! -e ${PATHS.htpasswdDir}`)]);
      return [
        ...(state === target ? [] : [`converged to "${state}", not "${target}"`]),
        ...(folder.status === 0 ? [] : [`${PATHS.htpasswdDir} is still there`]),
      ];
    },
  };
}
