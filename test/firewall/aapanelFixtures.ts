import type { AaPanelFirewallSpec } from "../../render/aapanelFirewall/types";

/** One tier's aaPanel host firewall, narrowed to a documentation network; tests override. */
export function aapanelSpec(overrides: Partial<AaPanelFirewallSpec> = {}): AaPanelFirewallSpec {
  return { tier: "rex", adminSources: ["203.0.113.0/24"], sshPort: 22, panelPort: 7800, webPorts: [80, 443], enableUfw: true, ...overrides };
}
