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
