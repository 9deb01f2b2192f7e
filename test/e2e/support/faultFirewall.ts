import { FIREWALL_HOST_PATHS } from "../../../render/firewall/hostPaths";
import { renderFirewallScripts } from "../../../render/firewall/scripts";
import type { FirewallSpec } from "../../../render/firewall/types";
import type { SandboxHost } from "../../firewall/support/sandboxHosts";
import type { SshTarget } from "../../firewall/support/sshRunner";
import { runSession } from "./faultHook";
import { lockOutProblems, onHostAsync, versionFlip, type Scenario, type Script } from "./faultPlan";

export interface FirewallWorld {
  readonly ssh: SshTarget;
  readonly flaskhost: SandboxHost;
  readonly proxy: SandboxHost;
  readonly lan: SandboxHost;
  readonly webPort: number;
  /** Version 0; version 1 also allows a documentation address, which changes the chain and ufw. */
  readonly spec: FirewallSpec;
}

const CHAIN = "cm-infra-rex";
const EXTRA_SOURCE = "192.0.2.7";

export function firewallVariant(world: FirewallWorld, variant: 0 | 1): FirewallSpec {
  return variant === 0 ? world.spec : { ...world.spec, extraAllowedSources: [EXTRA_SOURCE] };
}

function applyScript(world: FirewallWorld, variant: 0 | 1): Script {
  return { command: renderFirewallScripts(firewallVariant(world, variant)).update, stdin: "" };
}

/** Everything an apply writes, as text to compare: live filter table, ufw, after.rules, state. */
export const FIREWALL_FINGERPRINT = `iptables-save -t filter | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]$//'; ufw show added; cat ${FIREWALL_HOST_PATHS.afterRules}; for f in ${FIREWALL_HOST_PATHS.fragmentDir}/*.rules ${FIREWALL_HOST_PATHS.stateDir}/*; do [ -e "$f" ] && echo "== $f" && cat "$f"; done`;

/** How two fingerprints differ, in a few lines a failure report can carry. */
export function fingerprintDifference(expected: string, found: string): string {
  const expectedLines = new Set(expected.split("\n"));
  const foundLines = new Set(found.split("\n"));
  const missing = [...expectedLines].filter((line) => !foundLines.has(line)).map((line) => `- ${line}`);
  const extra = [...foundLines].filter((line) => !expectedLines.has(line)).map((line) => `+ ${line}`);
  const lines = [...missing, ...extra];
  if (lines.length === 0) return "the same lines in another order";
  return lines.slice(0, 6).join(" | ") + (lines.length > 6 ? ` | (${lines.length - 6} more)` : "");
}

/**
 * ufw's live user chains hold as many rules as its files list: a ufw killed between
 * writing user.rules and changing the chains leaves them apart, and every later ufw
 * command trusts the files.
 */
export async function ufwOutOfSyncProblems(host: SandboxHost): Promise<string[]> {
  const read = await onHostAsync(
    host,
    `for chain in ufw-user-input ufw-user-forward; do echo "$chain $(grep -c "^-A $chain " /etc/ufw/user.rules) $(iptables -S "$chain" | grep -c '^-A ')"; done`,
  );
  return read.stdout
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([, files, live]) => files !== live)
    .map(([chain, files, live]) => `ufw lists ${files} rules in ${chain} but ${live} are live`);
}

/**
 * The live rules that filter the web port: whether DOCKER-USER jumps to the tier chain,
 * and which version the chain holds ("empty" once flushed, "none" once deleted).
 */
export function firewallLabeller(world: FirewallWorld, chains: readonly [string, string]): () => Promise<string> {
  return async () => {
    const read = await onHostAsync(
      world.flaskhost,
      `if iptables -C DOCKER-USER -j ${CHAIN} 2>/dev/null; then echo jump=yes; else echo jump=no; fi; echo ---; iptables -S ${CHAIN} 2>/dev/null || echo none`,
    );
    const [jump = "", chain = ""] = read.stdout.split("---\n");
    const text = chain.trim();
    const version = text === "none" ? "none" : text === `-N ${CHAIN}` ? "empty" : chains.indexOf(text) === -1 ? "other" : `r${chains.indexOf(text)}`;
    return `${jump.trim()} chain=${version}`;
  };
}

/** HTTP status from a sandbox host to the web port: "000" when nothing answers in time. */
export async function webPortFrom(world: FirewallWorld, from: SandboxHost, connectSeconds: number): Promise<string> {
  const probe = await onHostAsync(
    from,
    `curl -s -o /dev/null -w '%{http_code}' --connect-timeout ${connectSeconds} --max-time ${connectSeconds + 3} http://${world.flaskhost.address}:${world.webPort}/ || true`,
  );
  return probe.stdout.trim() || "000";
}

/**
 * The LAN probe must find the port closed; the proxy, asked at the same moment, must get
 * in, which proves the probe's silence is the filter and not a slow host.
 */
async function portProblems(world: FirewallWorld, lanExpected: "000" | "200"): Promise<string[]> {
  const [lan, proxy] = await Promise.all([webPortFrom(world, world.lan, 1), webPortFrom(world, world.proxy, 5)]);
  return [
    ...(lan === lanExpected ? [] : [`the LAN probe got ${lan} from the web port, expected ${lanExpected}`]),
    ...(proxy === "200" ? [] : [`the proxy got ${proxy} from the web port`]),
  ];
}

async function leftoverProblems(world: FirewallWorld): Promise<string[]> {
  const found = await onHostAsync(
    world.flaskhost,
    `ls -A /etc/ufw ${FIREWALL_HOST_PATHS.fragmentDir} ${FIREWALL_HOST_PATHS.stateDir} 2>/dev/null | grep -E 'cm-infra[.]|^[.]cm-infra-tmp|[.]tmp$' || true`,
  );
  return found.stdout.trim() === "" ? [] : [`left behind: ${found.stdout.trim().split("\n").join(" ")}`];
}

/** Reads what each version looks like once applied, for the labeller and the converged check. */
export async function captureFirewallVersions(world: FirewallWorld): Promise<{ chains: [string, string]; fingerprints: [string, string] }> {
  const chains: string[] = [];
  const fingerprints: string[] = [];
  for (const variant of [1, 0] as const) {
    const applied = await runSession(world.ssh, applyScript(world, variant).command, "");
    if (applied.exitCode !== 0) throw new Error(`firewall version ${variant} failed: ${applied.stderr}`);
    chains[variant] = (await onHostAsync(world.flaskhost, `iptables -S ${CHAIN}`)).stdout.trim();
    fingerprints[variant] = (await onHostAsync(world.flaskhost, FIREWALL_FINGERPRINT)).stdout;
  }
  return { chains: [chains[0] ?? "", chains[1] ?? ""], fingerprints: [fingerprints[0] ?? "", fingerprints[1] ?? ""] };
}

/** The firewall's create/update script, switching between two versions. */
export function firewallApplyScenario(world: FirewallWorld, versions: { chains: [string, string]; fingerprints: [string, string] }): Scenario {
  const flip = versionFlip();
  const label = (variant: number) => `jump=yes chain=r${variant}`;
  const state = firewallLabeller(world, versions.chains);
  return {
    name: "firewall create/update",
    ssh: world.ssh,
    host: world.flaskhost,
    focus: /^install_fragment$/,
    // A flip adds or deletes the one extra source's rule: user.rules is written once.
    runs: { step: 28, group: 6, ssh: 6, ufw: 8, ufwWrites: 1 },
    async setUp() {
      const { from, to } = flip();
      // One iptables-restore swaps the chain: there is no state in between.
      return { script: applyScript(world, to), allowed: [label(from), label(to)], target: label(to) };
    },
    state,
    async checkLive() {
      const [ports, lockOut] = await Promise.all([portProblems(world, "000"), lockOutProblems(world.ssh, world.flaskhost)]);
      return [...ports, ...lockOut];
    },
    async checkConverged(target) {
      const variant = Number(target.slice(-1)) as 0 | 1;
      // The live filter table is in the fingerprint: no second probe needed here.
      const [found, fingerprint, leftovers] = await Promise.all([
        state(),
        onHostAsync(world.flaskhost, FIREWALL_FINGERPRINT),
        leftoverProblems(world),
      ]);
      return [
        ...(found === target ? [] : [`converged to "${found}", not "${target}"`]),
        ...(fingerprint.stdout === versions.fingerprints[variant]
          ? []
          : [`after.rules, ufw or the live table differ from a clean apply of this version: ${fingerprintDifference(versions.fingerprints[variant], fingerprint.stdout)}`]),
        ...leftovers,
        ...(await ufwOutOfSyncProblems(world.flaskhost)),
      ];
    },
  };
}

/** The firewall's delete script, from the applied version 0 each time. */
export function firewallDeleteScenario(world: FirewallWorld, versions: { chains: [string, string] }): Scenario {
  const state = firewallLabeller(world, versions.chains);
  return {
    name: "firewall delete",
    ssh: world.ssh,
    host: world.flaskhost,
    focus: /^prepare_block ""$/,
    runs: { step: 6, group: 2, ssh: 2, ufw: 3 },
    async setUp() {
      const created = await runSession(world.ssh, applyScript(world, 0).command, "");
      if (created.exitCode !== 0) throw new Error(`re-applying the firewall failed: ${created.stderr}`);
      // The jump goes first, then the chain is flushed and deleted; each leaves the tier unfiltered, as deleted.
      return {
        script: { command: renderFirewallScripts(world.spec).delete, stdin: "" },
        allowed: ["jump=yes chain=r0", "jump=no chain=r0", "jump=no chain=empty", "jump=no chain=none"],
        target: "jump=no chain=none",
      };
    },
    state,
    async checkLive(found) {
      // Filtered exactly while the jump is there.
      const [ports, lockOut] = await Promise.all([portProblems(world, found.startsWith("jump=yes") ? "000" : "200"), lockOutProblems(world.ssh, world.flaskhost)]);
      return [...ports, ...lockOut];
    },
    async checkConverged(target) {
      const [found, block, leftovers] = await Promise.all([
        state(),
        onHostAsync(world.flaskhost, `! grep -q ${CHAIN} ${FIREWALL_HOST_PATHS.afterRules} && test ! -e ${FIREWALL_HOST_PATHS.fragmentDir}/rex.rules`),
        leftoverProblems(world),
      ]);
      return [
        ...(found === target ? [] : [`converged to "${found}", not "${target}"`]),
        ...(block.status === 0 ? [] : ["after.rules or the fragment still name the tier"]),
        ...leftovers,
        ...(await ufwOutOfSyncProblems(world.flaskhost)),
      ];
    },
  };
}
