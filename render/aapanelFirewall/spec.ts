import type { PlainConfig } from "../../config/validate";
import type { AaPanelFirewallSpec } from "./types";

/** The web ports every address may reach on the aaPanel host. */
const PUBLIC_WEB_PORTS = [80, 443] as const;

/**
 * The aaPanel host's ufw rules a tier's config stands for; undefined without
 * aapanelHost.firewall. The program and the drift check both take it from here.
 */
export function aapanelFirewallSpecOf(config: PlainConfig): AaPanelFirewallSpec | undefined {
  const firewall = config.aapanelFirewall;
  if (firewall === undefined) return undefined;
  const webPorts = config.publishThroughEdge ? [...PUBLIC_WEB_PORTS, config.edge.listenPort] : [...PUBLIC_WEB_PORTS];
  return {
    tier: config.tier,
    adminSources: firewall.adminSources,
    sshPort: config.aapanelHost.sshPort,
    panelPort: firewall.panelPort,
    webPorts: [...new Set(webPorts)],
    enableUfw: firewall.enableUfw,
  };
}
