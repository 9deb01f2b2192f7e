import { sshAddressProblems, proxySourceProblems } from "./values/addresses";
import { dockerSshTargetProblems, parseDockerEndpoint } from "./values/docker";
import { hostKeyProblems } from "./values/hostKeys";
import { tokenProblems } from "./values/names";
import { PORT_RANGE, portProblems } from "./values/numbers";
import { absolutePathProblems } from "./values/paths";
import { type Reader, show } from "./reader";
import type { DockerEndpoint, SshHostConfig, TierName } from "./types";

const SSH_HOST_FIELDS = ["address", "sshUser", "sshPort", "hostKey"] as const;

/**
 * flaskHost is where the deployer connects; aapanelHost is also the one source the Flask
 * host's firewall lets reach the web port, so loopback is refused there too.
 */
export function readSshHost(read: Reader, key: "flaskHost" | "aapanelHost", value: unknown, sections: readonly string[] = []): SshHostConfig {
  // sections: keys read elsewhere (aapanelHost.firewall), accepted here
  const raw = read.section(key, value, [...SSH_HOST_FIELDS, ...sections]);
  const address = read.checked(`${key}.address`, raw.address, key === "aapanelHost" ? proxySourceProblems : sshAddressProblems);
  return {
    address,
    sshUser: read.checked(`${key}.sshUser`, raw.sshUser, tokenProblems, "root"),
    sshPort: read.integer(`${key}.sshPort`, raw.sshPort, PORT_RANGE, 22),
    hostKey: read.checked(`${key}.hostKey`, typeof raw.hostKey === "string" ? raw.hostKey.trim() : raw.hostKey, (text) =>
      hostKeyProblems(text, address === "" ? undefined : address),
    ),
  };
}

/**
 * The tier's Docker engine: dev's local socket, or the Flask host's engine over ssh (the
 * provider pins flaskHost.hostKey for it, so an ssh:// dockerHost must address flaskHost).
 */
export function readDocker(read: Reader, tier: TierName, value: unknown, identity: unknown, flaskHost: SshHostConfig): DockerEndpoint {
  const fallback = tier === "dev" ? "unix:///var/run/docker.sock" : `ssh://${flaskHost.sshUser}@${flaskHost.address}:${flaskHost.sshPort}`;
  const host = read.string("dockerHost", value, fallback);
  const { parts, problems } = parseDockerEndpoint(host);
  // The fallback is built from flaskHost, whose own keys already name any problem.
  const given = value !== undefined && value !== null && value !== "";
  if (given) read.check("dockerHost", problems);
  // Compared only with a valid flaskHost: a bad address or port is already named there.
  if (given && parts?.scheme === "ssh" && sshAddressProblems(flaskHost.address).length === 0 && portProblems(flaskHost.sshPort).length === 0) {
    read.check("dockerHost", dockerSshTargetProblems(host, parts, flaskHost));
  }
  const identityFile = identity === undefined || identity === null || identity === "" ? undefined : read.checked("dockerSshIdentityFile", identity, absolutePathProblems);
  if (parts?.scheme === "unix") {
    if (tier !== "dev") read.add("dockerHost", `${show(host)}: only dev deploys to a local socket; ${tier} uses ssh://${flaskHost.sshUser}@<flaskHost.address>`);
    if (identityFile !== undefined) read.add("dockerSshIdentityFile", `is used only with an ssh:// dockerHost; remove it (dockerHost is ${show(host)})`);
    return { kind: "local", host };
  }
  return { kind: "ssh", host, identityFile };
}
