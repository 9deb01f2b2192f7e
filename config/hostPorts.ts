import type { Reader } from "./reader";

export interface HostPorts {
  readonly webPort: number;
  readonly apiPort: number;
  readonly flaskSshPort: number;
  readonly listenPort: number;
  readonly aapanelSshPort: number;
  readonly publishThroughEdge: boolean;
  /** flaskHost and aapanelHost are one machine: the edge's port shares it with the app's. */
  readonly oneHost: boolean;
}

/**
 * Ports that share a host must differ. Each clash is reported under the key that has to
 * move: sshd already holds its port, and the API port is the program's own.
 */
export function checkHostPorts(read: Reader, ports: HostPorts): void {
  const { webPort, apiPort, flaskSshPort, listenPort, aapanelSshPort } = ports;
  if (webPort === apiPort) read.add("webPort", `${webPort} is the API server's port on the Flask host; choose another port for web-view`);
  else if (webPort === flaskSshPort) read.add("webPort", `${webPort} is flaskHost.sshPort, where sshd listens on the Flask host; choose another port for web-view`);
  if (flaskSshPort === apiPort) {
    read.add("flaskHost.sshPort", `${flaskSshPort} is the API server's port, which the firewall closes on the Flask host: SSH would be locked out; sshd must listen elsewhere`);
  }
  if (ports.publishThroughEdge && listenPort === aapanelSshPort) {
    read.add(
      "edge.listenPort",
      `${listenPort} is aapanelHost.sshPort, where sshd listens on the aaPanel host: nginx -t passes, the reload fails to bind and nginx keeps serving the old config; use 443 (TLS) or 80`,
    );
  }
  if (ports.publishThroughEdge && ports.oneHost) {
    const taken = listenPort === webPort ? "webPort" : listenPort === apiPort ? "the API server's port" : listenPort === flaskSshPort ? "flaskHost.sshPort" : undefined;
    if (taken !== undefined) {
      read.add("edge.listenPort", `${listenPort} is ${taken}, on the same host (flaskHost.address is aapanelHost.address): nginx could not bind it; use 443 (TLS) or 80`);
    }
  }
}
