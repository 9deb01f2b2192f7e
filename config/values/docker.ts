import { absolutePathProblems } from "./paths";
import { hostProblems, tokenProblems } from "./names";
import { portProblems } from "./numbers";
import { show } from "./text";

export type DockerEndpointParts =
  | { readonly scheme: "unix"; readonly path: string }
  | { readonly scheme: "ssh"; readonly user?: string; readonly host: string; readonly port?: number };

const SSH = /^ssh:\/\/(?:([^@/?#]*)@)?([^@:/?#]*)(?::([0-9]+))?$/;

/**
 * A Docker engine endpoint: "unix:///path" or "ssh://[user@]host[:port]" with nothing
 * else. The ssh form is handed to the system ssh by Docker's connection helper, so a user
 * or host that starts with '-' (ssh://-oProxyCommand=...) would become an ssh option:
 * user is a token, host an IPv4 address or DNS name, no path, query or options.
 */
export function parseDockerEndpoint(text: string): { readonly parts?: DockerEndpointParts; readonly problems: string[] } {
  const expected = `must be "ssh://[user@]host[:port]" or "unix:///path/to/docker.sock"`;
  if (text.startsWith("unix://")) {
    const path = text.slice("unix://".length);
    const problems = absolutePathProblems(path).map((problem) => `unix socket path ${problem}`);
    return problems.length > 0 ? { problems } : { parts: { scheme: "unix", path }, problems };
  }
  const match = SSH.exec(text);
  if (!text.startsWith("ssh://") || match === null) return { problems: [`${show(text)} ${expected}`] };
  const [, user, host = "", port] = match;
  const problems = [
    ...(user === undefined ? [] : tokenProblems(user).map((problem) => `ssh user ${problem}`)),
    ...hostProblems(host).map((problem) => `ssh host ${problem}`),
    ...(port === undefined ? [] : portProblems(Number(port)).map((problem) => `ssh port ${problem}`)),
  ];
  if (problems.length > 0) return { problems: problems.map((problem) => `${show(text)}: ${problem}`) };
  return { parts: { scheme: "ssh", user, host, port: port === undefined ? undefined : Number(port) }, problems };
}

export function dockerEndpointProblems(text: string): string[] {
  return parseDockerEndpoint(text).problems;
}

/** The host whose key the Docker transport pins (flaskHost): its address and sshd port. */
export interface PinnedSshHost {
  readonly address: string;
  readonly sshPort: number;
}

/** ssh's port when the endpoint names none. */
const SSH_DEFAULT_PORT = 22;

/**
 * An ssh:// endpoint must reach the host whose key is pinned, at its sshd port: the
 * provider's ssh options pin that host's key under "address" or "[address]:port" only, and
 * the firewall guards only that host. Another host fails the host-key check at deploy (or,
 * with a cloned key, runs the containers where no firewall filters their ports). The user
 * may differ: the pin is per host, and the Docker transport may log in as a docker-group
 * user where the command provider uses root.
 */
export function dockerSshTargetProblems(text: string, parts: Extract<DockerEndpointParts, { scheme: "ssh" }>, pinned: PinnedSshHost): string[] {
  const right = `ssh://${parts.user === undefined ? "" : `${parts.user}@`}${pinned.address}:${pinned.sshPort}`;
  const fix = `write ${show(right)} or leave dockerHost out; to move the tier, change flaskHost (address, hostKey) instead`;
  if (parts.host !== pinned.address) {
    return [
      `${show(text)} addresses ${show(parts.host)}, but flaskHost.address is ${show(pinned.address)}: the Docker transport trusts only flaskHost.hostKey, pinned for that address, and the firewall guards only that host, so ssh would refuse the key at deploy (or, with a cloned key, the containers would run on an unguarded host); ${fix}`,
    ];
  }
  const port = parts.port ?? SSH_DEFAULT_PORT;
  if (port !== pinned.sshPort) {
    const which = parts.port === undefined ? `ssh's default port ${port}` : `ssh port ${port}`;
    return [
      `${show(text)} reaches ${which}, but flaskHost.sshPort is ${pinned.sshPort}: flaskHost.hostKey is pinned for port ${pinned.sshPort}, so ssh would refuse the key at deploy; ${fix}`,
    ];
  }
  return [];
}
