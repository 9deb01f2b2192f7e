import type { TierName } from "../../config/types";

/** Everything the firewall scripts for one tier on one Flask host depend on. */
export interface FirewallSpec {
  readonly tier: TierName;
  /** Host port Docker publishes web-view on (rex 8001, siong 8005, dev 8000). */
  readonly webPort: number;
  /** Host port of api-server (3000); never reachable through DNAT. */
  readonly apiPort: number;
  /** The aaPanel proxy: the one address that may reach webPort. IPv4 or IPv4 CIDR. */
  readonly proxyAddress: string;
  /** Further sources allowed to reach webPort (dev: ["127.0.0.1"]). */
  readonly extraAllowedSources: readonly string[];
  /** Sources allowed to reach SSH; "any" allows every address. */
  readonly adminSources: readonly string[];
  readonly sshPort: number;
  /** Enabling an inactive ufw is an explicit choice (config key firewall.enableUfw). */
  readonly enableUfw: boolean;
}
