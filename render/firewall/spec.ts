import type { PlainConfig } from "../../config/validate";
import type { FirewallSpec } from "./types";

/**
 * The firewall a tier's config stands for. The program, the drift check and the tests all
 * take it from here, so drift is measured against exactly what the program installs.
 */
export function firewallSpecOf(config: PlainConfig): FirewallSpec {
  return {
    tier: config.tier,
    webPort: config.webPort,
    apiPort: config.apiPort,
    proxyAddress: config.aapanelHost.address,
    // The dev PC's own browser reaches its web port too.
    extraAllowedSources: config.tier === "dev" ? ["127.0.0.1"] : [],
    adminSources: config.firewall.adminSources,
    sshPort: config.flaskHost.sshPort,
    enableUfw: config.firewall.enableUfw,
  };
}
