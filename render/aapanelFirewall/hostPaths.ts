import { FIREWALL_HOST_PATHS } from "../firewall/hostPaths";

/**
 * Where the aaPanel firewall scripts keep things. The lock and the folder of ownership
 * records are the Flask host firewall's own: when the aaPanel host is also a Flask host,
 * both take turns on ufw, and each side's "does another tier still want this rule?" reads
 * the other's records (the same "<kind> <rule>" lines, one file per owner).
 */
export const AAPANEL_FIREWALL_HOST_PATHS = {
  stateDir: FIREWALL_HOST_PATHS.stateDir,
  lockFile: FIREWALL_HOST_PATHS.lockFile,
  /** ufw's defaults; DEFAULT_INPUT_POLICY says whether unlisted sources are dropped. */
  ufwDefaults: "/etc/default/ufw",
} as const;

/** One tier's record of the rules it wants on the aaPanel host (whoever holds them). */
export function aapanelRecordPath(tier: string): string {
  return `${AAPANEL_FIREWALL_HOST_PATHS.stateDir}/aapanel-${tier}.ufw`;
}

/** Exactly one line of every run's output matches this. */
export const AAPANEL_FIREWALL_SUMMARY_PATTERN = /^cm-infra aapanel firewall (?<tier>[a-z0-9-]+): (?<result>changed|unchanged)$/m;
