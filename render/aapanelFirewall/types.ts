import type { TierName } from "../../config/types";

/** Everything the ufw scripts for one tier on the aaPanel host depend on. */
export interface AaPanelFirewallSpec {
  readonly tier: TierName;
  /** Sources allowed to reach SSH and the panel; "any" allows every address. */
  readonly adminSources: readonly string[];
  /** aapanelHost.sshPort. */
  readonly sshPort: number;
  /** The panel's own port (aaPanel's is configurable; 7800 and 8888 are common). */
  readonly panelPort: number;
  /** Ports every address may reach: 80, 443 and, when the tier publishes, edge.listenPort. */
  readonly webPorts: readonly number[];
  /** Enabling an inactive ufw is an explicit choice (aapanelHost.firewall.enableUfw). */
  readonly enableUfw: boolean;
}
