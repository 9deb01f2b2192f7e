import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIREWALL_HOST_PATHS, FIREWALL_SUMMARY_PATTERN } from "../../render/firewall/hostPaths";
import { renderFirewallScripts } from "../../render/firewall/scripts";
import type { FirewallSpec } from "../../render/firewall/types";
import type { RemoteScripts } from "../../render/remoteScripts";
import { rexSpec } from "./fixtures";
import { firewallSnapshot, httpStatusFrom, restartInnerDockerd, runStandInContainers, waitForHttpStatus } from "./support/flaskHost";
import {
  dockerIsAvailable,
  restartSandboxHost,
  sshTargetOf,
  startFreshSandbox,
  stopSandbox,
  type SandboxState,
} from "./support/sandboxHosts";
import { mustRunOverSsh, runOverSsh, type CommandResult, type SshTarget } from "./support/sshRunner";

// Real hosts: sandbox/up.sh's proxy, Flask host (own dockerd, ufw, iptables-legacy) and
// LAN probe, on a private Docker network. Each step builds on the one before.
const PREFIX = "cmfw";
const BLOCKED = "000";
const STAND_INS = { web: 8001, api: 3000, "siong-web": 8005 } as const;

let sandbox: SandboxState;
let flaskhost: SshTarget;
let proxy: SshTarget;
let lan: SshTarget;
let rex: FirewallSpec;

function url(port: number): string {
  return `http://${flaskhost.address}:${port}/`;
}

/** Runs a remote.Command phase exactly as the provider would: command string + stdin. */
async function runPhase(scripts: RemoteScripts, phase: "create" | "update" | "delete"): Promise<CommandResult> {
  const stdin = phase === "delete" ? "" : scripts.stdin;
  return runOverSsh(flaskhost, scripts[phase], { stdin, timeoutMs: 120_000 });
}

function summaryOf(result: CommandResult): string | undefined {
  const summaries = result.stdout.split("\n").filter((line) => FIREWALL_SUMMARY_PATTERN.test(line));
  expect(summaries, result.stdout + result.stderr).toHaveLength(1);
  return summaries[0]?.match(FIREWALL_SUMMARY_PATTERN)?.groups?.result;
}

async function onFlaskHost(command: string): Promise<string> {
  return mustRunOverSsh(flaskhost, command);
}

async function expectRexProtected(): Promise<void> {
  expect(await httpStatusFrom(proxy, url(8001)), "proxy -> web port").toBe("200");
  expect(await httpStatusFrom(lan, url(8001)), "LAN -> web port").toBe(BLOCKED);
  expect(await httpStatusFrom(lan, url(3000)), "LAN -> API port").toBe(BLOCKED);
  expect(await httpStatusFrom(proxy, url(3000)), "proxy -> API port").toBe(BLOCKED);
  expect((await runOverSsh(flaskhost, "true")).exitCode, "new SSH connection from the test runner").toBe(0);
}

// Every blocked probe waits out curl's 3 s timeout, so steps take 10-40 s each.
describe("firewall on real sandbox hosts", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // A missing engine fails the run: a skipped host test must never read as a pass.
    if (!dockerIsAvailable()) throw new Error("Docker is not running: start dockerd (as .ci/run does); these tests need real hosts");
    sandbox = startFreshSandbox(PREFIX, 900_000);
    flaskhost = sshTargetOf(sandbox, "flaskhost");
    proxy = sshTargetOf(sandbox, "proxy");
    lan = sshTargetOf(sandbox, "lan");
    rex = rexSpec({ proxyAddress: proxy.address, enableUfw: true });
    await runStandInContainers(flaskhost, STAND_INS);
    for (const port of Object.values(STAND_INS)) {
      expect(await waitForHttpStatus(lan, url(port), "200"), `stand-in on ${port} answers`).toBe("200");
    }
  }, 960_000);

  afterAll(() => {
    if (sandbox) stopSandbox(PREFIX);
  }, 180_000);

  it("the guide's plain ufw rules alone leave the Docker-published port open (why DOCKER-USER)", async () => {
    await onFlaskHost(
      `ufw allow 22/tcp && ufw allow from ${proxy.address} to any port 8001 proto tcp && ufw deny 8001/tcp && ufw --force enable`,
    );
    expect(await onFlaskHost("ufw status")).toMatch(/Status: active[\s\S]*8001\/tcp\s+DENY/);
    expect(await httpStatusFrom(lan, url(8001))).toBe("200");
    await onFlaskHost("ufw --force reset >/dev/null && ufw status");
  });

  let pristineAfterRules = "";
  it("refuses to enable an inactive ufw unless firewall.enableUfw says so, changing nothing", async () => {
    // the operator's own rule, which must outlive everything below
    await onFlaskHost(`ufw allow from ${lan.address} to any port 9000 proto tcp comment 'operator'`);
    pristineAfterRules = await onFlaskHost(`sha256sum ${FIREWALL_HOST_PATHS.afterRules}`);
    const result = await runPhase(renderFirewallScripts({ ...rex, enableUfw: false }), "create");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("firewall.enableUfw is false");
    expect(await onFlaskHost(`sha256sum ${FIREWALL_HOST_PATHS.afterRules}`)).toBe(pristineAfterRules);
    expect(await onFlaskHost("ufw status; ls /etc/cm-infra 2>&1 || true")).toMatch(/inactive[\s\S]*No such file/);
  });

  it("create: allows SSH, enables ufw and lets only the proxy reach the web port", async () => {
    const result = await runPhase(renderFirewallScripts(rex), "create");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("changed");
    console.info(`create took ${result.durationMs} ms`);
    expect(await onFlaskHost("ufw status")).toMatch(/Status: active/);
    await expectRexProtected();
  });

  it("holds after ufw reload", async () => {
    await onFlaskHost("ufw reload");
    await expectRexProtected();
  });

  it("holds after the inner dockerd restarts", async () => {
    await restartInnerDockerd(flaskhost, Object.keys(STAND_INS));
    expect(await waitForHttpStatus(proxy, url(8001), "200")).toBe("200");
    await expectRexProtected();
  });

  it("a second apply changes nothing and says so", async () => {
    const before = await firewallSnapshot(flaskhost);
    const result = await runPhase(renderFirewallScripts(rex), "update");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("unchanged");
    console.info(`unchanged apply took ${result.durationMs} ms`);
    expect(await firewallSnapshot(flaskhost)).toBe(before);
  });

  it("clears a killed run's temp files; a full fragment folder or a read-only /etc/ufw fails clearly and changes nothing", async () => {
    const before = await firewallSnapshot(flaskhost);
    const fragment = () => onFlaskHost(`cat ${FIREWALL_HOST_PATHS.fragmentDir}/rex.rules`);
    const fragmentBefore = await fragment();
    // What a SIGKILL between "temp written" and "renamed" leaves (never loaded: not *.rules).
    await onFlaskHost(
      `printf '*filter\\n-A DOCKER-USER -j ACC' >${FIREWALL_HOST_PATHS.afterRules}.cm-infra.Ab12Cd; ` +
        `printf ':cm-infra-rex - [0' >${FIREWALL_HOST_PATHS.fragmentDir}/.cm-infra-tmp.Xy34Zw`,
    );
    const cleared = await runPhase(renderFirewallScripts(rex), "update");
    expect(summaryOf(cleared)).toBe("unchanged");
    expect(await onFlaskHost(`ls -A /etc/ufw | grep -c after.rules.cm-infra || true`)).toBe("0\n");
    expect(await onFlaskHost(`ls -A ${FIREWALL_HOST_PATHS.fragmentDir}`)).toBe("rex.rules\n");

    const widened = renderFirewallScripts({ ...rex, extraAllowedSources: [lan.address] });
    // A 16 KiB disk over the fragment folder, holding what was there, then filled up.
    await onFlaskHost(
      `set -e; d=${FIREWALL_HOST_PATHS.fragmentDir}; cp -a "$d" /tmp/fragments; mount -t tmpfs -o size=16k cm-test-tiny "$d"; ` +
        `cp -a /tmp/fragments/. "$d"/; rm -rf /tmp/fragments; dd if=/dev/zero of="$d/.filler" bs=4096 2>/dev/null || true`,
    );
    try {
      const full = await runPhase(widened, "update");
      expect(full.exitCode).not.toBe(0);
      expect(full.stderr).toContain(`cannot write in ${FIREWALL_HOST_PATHS.fragmentDir} (is the disk full?); nothing was changed`);
    } finally {
      await onFlaskHost(`umount ${FIREWALL_HOST_PATHS.fragmentDir}`);
    }
    await onFlaskHost("mount --bind /etc/ufw /etc/ufw && mount -o remount,bind,ro /etc/ufw");
    try {
      const readOnly = await runPhase(widened, "update");
      expect(readOnly.exitCode).not.toBe(0);
      expect(readOnly.stderr).toContain("cannot create a file in /etc/ufw: Read-only file system; nothing was changed");
    } finally {
      await onFlaskHost("umount /etc/ufw");
    }
    expect(await fragment()).toBe(fragmentBefore);
    expect(await onFlaskHost(`ls -A ${FIREWALL_HOST_PATHS.fragmentDir}`)).toBe("rex.rules\n");
    expect(await firewallSnapshot(flaskhost)).toBe(before);
    expect(await httpStatusFrom(lan, url(8001))).toBe(BLOCKED);
  });

  it("an update adds and later drops an allowed source, keeping allow-before-deny order", async () => {
    const withLan = renderFirewallScripts({ ...rex, extraAllowedSources: [lan.address] });
    const widened = await runPhase(withLan, "update");
    expect(summaryOf(widened)).toBe("changed");
    expect(await httpStatusFrom(lan, url(8001))).toBe("200");
    expect(await httpStatusFrom(lan, url(3000))).toBe(BLOCKED);
    expect(await onFlaskHost("ufw show added")).toMatch(
      new RegExp(`allow from ${lan.address.replace(/\./g, "\\.")} to any port 8001[^\\n]*\\n[\\s\\S]*deny 8001/tcp`),
    );
    const narrowed = await runPhase(renderFirewallScripts(rex), "update");
    expect(summaryOf(narrowed)).toBe("changed");
    expect(await onFlaskHost("ufw show added")).not.toContain(`from ${lan.address} to any port 8001`);
    await expectRexProtected();
  });

  it("a second tier on the same host keeps its own rules without flushing rex's", async () => {
    const siong = renderFirewallScripts({ ...rex, tier: "siong", webPort: 8005 });
    // both at once: the host-wide flock makes them take turns on after.rules and ufw
    const [siongCreated, rexAgain] = await Promise.all([
      runPhase(siong, "create"),
      runPhase(renderFirewallScripts(rex), "update"),
    ]);
    expect(siongCreated.exitCode, siongCreated.stderr).toBe(0);
    expect(summaryOf(rexAgain)).toBe("unchanged");
    expect(await onFlaskHost(`grep -c '^-A DOCKER-USER -j cm-infra-' ${FIREWALL_HOST_PATHS.afterRules}`)).toBe("2\n");
    await onFlaskHost("ufw reload");
    expect(await httpStatusFrom(lan, url(8005))).toBe(BLOCKED);
    expect(await httpStatusFrom(proxy, url(8005))).toBe("200");
    await expectRexProtected();
    const removed = await runPhase(siong, "delete");
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("keeping 'deny 3000/tcp': another cm-infra tier");
    expect(await httpStatusFrom(lan, url(8005))).toBe("200");
    await onFlaskHost("ufw reload");
    await expectRexProtected();
  });

  it("holds after the host reboots (ufw-init loads after.rules before dockerd starts)", async () => {
    await onFlaskHost("test -f /etc/ufw/after.rules && grep -q ENABLED=yes /etc/ufw/ufw.conf");
    restartSandboxHost(sandbox, "flaskhost");
    let reachable = false;
    for (let attempt = 0; attempt < 60 && !reachable; attempt += 1) {
      reachable = (await runOverSsh(flaskhost, "docker info >/dev/null", { timeoutMs: 10_000 })).exitCode === 0;
      if (!reachable) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(reachable).toBe(true);
    expect(await waitForHttpStatus(proxy, url(8001), "200", 60)).toBe("200");
    await expectRexProtected();
  });

  it("destroy removes exactly ours, but keeps the SSH rule that nothing else replaces", async () => {
    const result = await runPhase(renderFirewallScripts(rex), "delete");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(summaryOf(result)).toBe("changed");
    expect(result.stdout).toContain("keeping SSH rule 'allow 22/tcp'");
    expect(await httpStatusFrom(lan, url(8001))).toBe("200");
    expect(await httpStatusFrom(lan, url(3000))).toBe("200");
    expect(await onFlaskHost("iptables-save")).not.toContain("cm-infra");
    expect(await onFlaskHost(`sha256sum ${FIREWALL_HOST_PATHS.afterRules}`)).toBe(pristineAfterRules);
    expect(await onFlaskHost("ls /etc/cm-infra /var/lib/cm-infra 2>&1 || true")).toMatch(/No such file[\s\S]*No such file/);
    const added = await onFlaskHost("ufw show added");
    expect(added).toContain(`ufw allow from ${lan.address} to any port 9000 proto tcp comment 'operator'`);
    expect(added.match(/cm-infra:/g)).toEqual(["cm-infra:"]);
    expect((await runOverSsh(flaskhost, "true")).exitCode).toBe(0);
  });

  it("destroy drops our SSH rule once another rule lets SSH in", async () => {
    expect(summaryOf(await runPhase(renderFirewallScripts(rex), "create"))).toBe("changed");
    const network = `${flaskhost.address.split(".").slice(0, 2).join(".")}.0.0/16`;
    await onFlaskHost(`ufw allow from ${network} to any port 22 proto tcp comment 'operator-ssh'`);
    const result = await runPhase(renderFirewallScripts(rex), "delete");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await onFlaskHost("ufw show added")).not.toContain("cm-infra:");
    expect(await onFlaskHost("ufw status")).toContain("9000/tcp");
    expect((await runOverSsh(flaskhost, "true")).exitCode).toBe(0);
    const again = await runPhase(renderFirewallScripts(rex), "delete");
    expect(summaryOf(again)).toBe("unchanged");
  });
});
