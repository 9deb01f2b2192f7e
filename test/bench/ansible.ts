import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../e2e/applier/processRunner";
import { epochMs } from "../e2e/support/meter";
import type { SandboxState } from "../firewall/support/sandboxHosts";
import type { TimedRun } from "./floor";
import type { EdgeWork, FirewallWork } from "./peerWork";

const PLAYBOOK = join(__dirname, "..", "..", "bench", "ansible", "converge.yml");

export interface AnsibleRun extends TimedRun {
  /** Play name -> its span, as Ansible's json callback reports it (no process start-up). */
  readonly plays: ReadonlyMap<string, TimedRun>;
  readonly changed: number;
}

export const FIREWALL_PLAY = "Firewall on the Flask host";
export const EDGE_PLAY = "Firewall and edge on the aaPanel host";

/** "allow from 10.0.0.2 to any port 8001 proto tcp" -> the ufw module's parameters. */
export function ufwModuleRule(rule: string): { rule: string; from: string; port: string; proto: string } {
  const simple = /^(allow|deny) ([0-9]+)\/(tcp|udp)$/.exec(rule);
  if (simple) return { rule: simple[1] ?? "", from: "any", port: simple[2] ?? "", proto: simple[3] ?? "" };
  const from = /^(allow|deny) from (\S+) to any port ([0-9]+) proto (tcp|udp)$/.exec(rule);
  if (from) return { rule: from[1] ?? "", from: from[2] ?? "", port: from[3] ?? "", proto: from[4] ?? "" };
  throw new Error(`the Ansible peer does not know how to write the ufw rule "${rule}"`);
}

interface TaskResult {
  readonly failed?: boolean;
  readonly unreachable?: boolean;
  readonly msg?: unknown;
  readonly stderr?: string;
}

interface JsonReport {
  readonly plays: readonly {
    readonly play: { readonly name: string; readonly duration: { readonly start: string; readonly end: string } };
    readonly tasks: readonly { readonly task: { readonly name: string }; readonly hosts: Readonly<Record<string, TaskResult>> }[];
  }[];
  readonly stats: Readonly<Record<string, { readonly changed: number; readonly failures: number; readonly unreachable: number }>>;
}

/** The json callback's "2026-11-23T12:16:01.123456Z" (UTC, microseconds). */
function epochOf(stamp: string): number {
  const match = /^([0-9-]+T[0-9:]+)\.?([0-9]*)Z?$/.exec(stamp);
  if (!match) throw new Error(`unexpected time stamp from Ansible: ${stamp}`);
  return Date.parse(`${match[1]}Z`) + Number((match[2] ?? "").padEnd(6, "0").slice(0, 6)) / 1000;
}

/**
 * ansible-playbook from Debian's package against the sandbox hosts: host keys pinned from
 * the sandbox's known_hosts, the deployer key, python3 on the hosts. Each run starts cold
 * (its own ControlPath folder, closed afterwards), as runs minutes apart do.
 */
export async function runAnsible(sandbox: SandboxState, firewall: FirewallWork, edge: EdgeWork): Promise<AnsibleRun> {
  const dir = mkdtempSync(join(tmpdir(), "cm-bench-ansible-"));
  try {
    const hosts = sandbox.hosts;
    writeFileSync(
      join(dir, "inventory.ini"),
      [
        `flaskhost ansible_host=${hosts.flaskhost.address} ansible_port=${hosts.flaskhost.sshPort}`,
        `proxy ansible_host=${hosts.proxy.address} ansible_port=${hosts.proxy.sshPort}`,
        "[all:vars]",
        "ansible_user=root",
        `ansible_ssh_private_key_file=${sandbox.sshKey}`,
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "ansible.cfg"),
      [
        "[defaults]",
        "gathering = explicit",
        "host_key_checking = True",
        "interpreter_python = /usr/bin/python3",
        "retry_files_enabled = False",
        "stdout_callback = ansible.posix.json",
        `local_tmp = ${join(dir, "tmp")}`,
        "[ssh_connection]",
        "pipelining = True",
        `control_path_dir = ${join(dir, "cp")}`,
        // Ansible's default ssh_args, plus the pinned host keys.
        `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${sandbox.knownHosts} -o GlobalKnownHostsFile=/dev/null`,
        "",
      ].join("\n"),
    );
    // The htpasswd line is in here: 0600 in a 0700 folder, removed below.
    writeFileSync(join(dir, "vars.json"), JSON.stringify({ firewall, edge, ufw_rules: firewall.ufwRules.map(ufwModuleRule), aapanel_ufw_rules: edge.ufwRules.map(ufwModuleRule) }), { mode: 0o600 });
    const env = { ...process.env, ANSIBLE_CONFIG: join(dir, "ansible.cfg"), ANSIBLE_HOME: join(dir, "home"), ANSIBLE_NOCOLOR: "1" };
    const startedAt = epochMs();
    const result = await runProcess("ansible-playbook", ["-i", join(dir, "inventory.ini"), "-e", `@${join(dir, "vars.json")}`, PLAYBOOK], undefined, env);
    const endedAt = epochMs();
    await closeMasters(join(dir, "cp"));
    let report: JsonReport;
    try {
      report = JSON.parse(result.stdout) as JsonReport;
    } catch {
      throw new Error(`ansible-playbook exited ${result.exitCode} without a JSON report:\n${result.stdout.slice(0, 2000)}\n${result.stderr.slice(0, 2000)}`);
    }
    const broken = Object.entries(report.stats).filter(([, stats]) => stats.failures > 0 || stats.unreachable > 0);
    if (result.exitCode !== 0 || broken.length > 0) {
      throw new Error(`ansible-playbook failed (exit ${result.exitCode}) on ${broken.map(([host]) => host).join(", ")}:\n${failedTasks(report).join("\n")}\n${result.stderr.slice(0, 2000)}`);
    }
    const plays = new Map(report.plays.map(({ play }) => [play.name, { startedAt: epochOf(play.duration.start), endedAt: epochOf(play.duration.end) }]));
    const changed = Object.values(report.stats).reduce((sum, stats) => sum + stats.changed, 0);
    return { startedAt, endedAt, plays, changed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "<task> on <host>: <message>" for every failed or unreachable task result. */
function failedTasks(report: JsonReport): string[] {
  return report.plays.flatMap(({ tasks }) =>
    tasks.flatMap(({ task, hosts }) =>
      Object.entries(hosts)
        .filter(([, outcome]) => outcome.failed === true || outcome.unreachable === true)
        .map(([host, outcome]) => `${task.name} on ${host}: ${JSON.stringify(outcome.msg ?? "")} ${outcome.stderr ?? ""}`.trim()),
    ),
  );
}

/** ControlPersist masters outlive ansible-playbook; close them so the next run starts cold. */
async function closeMasters(folder: string): Promise<void> {
  let sockets: string[];
  try {
    sockets = readdirSync(folder);
  } catch {
    return;
  }
  await Promise.all(sockets.map((socket) => runProcess("ssh", ["-o", `ControlPath=${join(folder, socket)}`, "-O", "exit", "cm-bench"])));
}
