/** Where the firewall scripts keep things on the Flask host (tests look here too). */
export const FIREWALL_HOST_PATHS = {
  /** One iptables-restore fragment per tier; the managed block is rebuilt from all of them. */
  fragmentDir: "/etc/cm-infra/firewall.d",
  /** Per-tier list of the ufw rules cm-infra owns, plus the last loaded live rules. */
  stateDir: "/var/lib/cm-infra/firewall",
  /** ufw-init loads this with iptables-restore --noflush at boot and on every ufw reload. */
  afterRules: "/etc/ufw/after.rules",
  /** Serialises every tier's run on the host; volatile on purpose, it is not state. */
  lockFile: "/run/lock/cm-infra-firewall.lock",
  blockBegin: "# BEGIN cm-infra firewall: generated from /etc/cm-infra/firewall.d/*.rules, do not edit",
  blockEnd: "# END cm-infra firewall",
} as const;

/** The tier's fragment: what the apply script installs and the drift check hashes. */
export function firewallFragmentPath(tier: string): string {
  return `${FIREWALL_HOST_PATHS.fragmentDir}/${tier}.rules`;
}

/** Exactly one line of every run's output matches this: the benchmark and tests read it. */
export const FIREWALL_SUMMARY_PATTERN = /^cm-infra firewall (?<tier>[a-z0-9-]+): (?<result>changed|unchanged)$/m;
