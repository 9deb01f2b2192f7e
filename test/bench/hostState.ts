import { execFileSync } from "node:child_process";
import type { SandboxHost } from "../firewall/support/sandboxHosts";
import type { EdgeWork, FirewallWork } from "./peerWork";

/**
 * What the firewall and edge work leave on the hosts, read as root from inside the
 * containers (not over SSH, so nothing here is counted): the bench compares the peers'
 * result with cm-infra's, so a faster peer cannot be one that does less. The htpasswd
 * file is compared by owner, mode and user (each run makes its own password).
 */
export type HostState = Readonly<Record<string, string>>;

function read(host: SandboxHost, script: string): string {
  return execFileSync("docker", ["exec", host.container, "bash", "-c", script], { encoding: "utf8", timeout: 60_000 });
}

export function firewallState(host: SandboxHost, work: FirewallWork): HostState {
  const chain = `cm-infra-${work.tier}`;
  return {
    "ufw rules": read(host, "/usr/sbin/ufw show added"),
    "ufw status": read(host, "/usr/sbin/ufw status verbose"),
    "after.rules": read(host, `cat ${work.afterRules}`),
    fragment: read(host, `cat ${work.fragmentFile}`),
    "live DOCKER-USER": read(host, `iptables -S DOCKER-USER | grep -v -- '-j RETURN$'; iptables -S ${chain}`),
  };
}

export function edgeState(host: SandboxHost, work: EdgeWork): HostState {
  const state: Record<string, string> = {
    "aaPanel host ufw": work.ufwRules.length === 0 ? "" : read(host, "/usr/sbin/ufw show added; /usr/sbin/ufw status verbose"),
    htpasswd: read(host, `stat -c '%a %U:%G' ${work.htpasswdDir} ${work.htpasswdFile}; cut -d: -f1 ${work.htpasswdFile}`),
  };
  for (const file of work.files) state[file.path] = read(host, `stat -c '%a %U:%G' ${file.path}; sha256sum <${file.path}`);
  return state;
}

/** Names of the parts that differ. */
export function differences(expected: HostState, actual: HostState): string[] {
  return [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter((key) => expected[key] !== actual[key]);
}
