import { readAdminSourceList } from "./firewall";
import { type Reader, isRecord } from "./reader";
import type { AaPanelFirewallConfig } from "./types";
import { ANY_SOURCE } from "./values/addresses";
import { PORT_RANGE } from "./values/numbers";

/** The section's key under aapanelHost. */
export const AAPANEL_FIREWALL_KEY = "firewall";
const KEY = `aapanelHost.${AAPANEL_FIREWALL_KEY}`;
export const AAPANEL_FIREWALL_FIELDS = ["adminSources", "panelPort", "enableUfw"] as const;

export function firewallOf(aapanelHost: unknown): unknown {
  return isRecord(aapanelHost) ? aapanelHost.firewall : undefined;
}

/** Required here: the Flask host's default ("any") would open the panel to everyone. */
function readAdminSources(read: Reader, value: unknown): string[] {
  const key = `${KEY}.adminSources`;
  if (value === undefined || value === null) {
    read.add(key, `is required: the IPv4 addresses or networks that may reach SSH and the panel (or ["${ANY_SOURCE}"])`);
    return [];
  }
  return readAdminSourceList(read, key, value);
}

/**
 * aapanelHost.firewall: absent means cm-infra manages no ufw on the aaPanel host. The
 * panel's port has no default: aaPanel picks one at install (7800 and 8888 are common),
 * and a guess would leave the real one as the panel set it.
 */
export function readAaPanelFirewall(read: Reader, value: unknown): AaPanelFirewallConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = read.section(KEY, value, AAPANEL_FIREWALL_FIELDS);
  if (!isRecord(value)) return undefined;
  return {
    adminSources: readAdminSources(read, raw.adminSources),
    panelPort: read.integer(`${KEY}.panelPort`, raw.panelPort, PORT_RANGE),
    enableUfw: read.boolean(`${KEY}.enableUfw`, raw.enableUfw, false),
  };
}

export interface PanelPortNeighbours {
  readonly aapanelSshPort: number;
  readonly listenPort: number;
  readonly publishThroughEdge: boolean;
  /** flaskHost and aapanelHost are one machine. */
  readonly oneHost: boolean;
  readonly webPort: number;
  readonly apiPort: number;
  readonly flaskSshPort: number;
}

/**
 * The panel's port is only for the admin sources: a port that SSH, nginx or the app also
 * holds would be opened to everyone or closed to everyone else by the other's rules.
 */
export function checkPanelPort(read: Reader, firewall: AaPanelFirewallConfig, ports: PanelPortNeighbours): void {
  const key = `${KEY}.panelPort`;
  const port = firewall.panelPort;
  const web = ports.publishThroughEdge ? [80, 443, ports.listenPort] : [80, 443];
  if (port === ports.aapanelSshPort) {
    read.add(key, `${port} is aapanelHost.sshPort, where sshd listens; give the panel's own port (aaPanel: Settings, Panel port; 7800 or 8888 are common)`);
  } else if (web.includes(port)) {
    read.add(key, `${port} is a web port nginx answers on for everyone (80, 443${ports.publishThroughEdge ? ", edge.listenPort" : ""}); give the panel's own port (7800 or 8888 are common)`);
  } else if (ports.oneHost && [ports.webPort, ports.apiPort, ports.flaskSshPort].includes(port)) {
    read.add(key, `${port} is taken on this host, which is also the Flask host (webPort, the API port or flaskHost.sshPort); give the panel's own port`);
  }
}
