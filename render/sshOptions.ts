import type { SshHostConfig } from "../config/types";

/** A host as OpenSSH dials it with its key pinned: the Docker transport, drift, the test transports. */
export type PinnedSshHost = Pick<SshHostConfig, "address" | "sshPort" | "hostKey">;

/** The line ssh expects in known_hosts for this host (bracketed when the port isn't 22). */
export function knownHostsLine(host: PinnedSshHost): string {
  const name = host.sshPort === 22 ? host.address : `[${host.address}]:${host.sshPort}`;
  return `${name} ${host.hostKey}`;
}

/**
 * ssh options that accept the host's pinned key and nothing else. The key is handed to ssh
 * by KnownHostsCommand, so no known_hosts file has to exist on the machine running ssh and
 * nothing in the user's or the system's known_hosts can override the pin.
 */
export function pinnedHostKeyOptions(host: PinnedSshHost): string[] {
  return [
    "-o", "StrictHostKeyChecking=yes",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", `KnownHostsCommand=/bin/echo ${knownHostsLine(host)}`,
  ];
}

/** Authenticate with this key file alone; without one, ssh-agent and the default keys. */
export function identityFileOptions(identityFile: string | undefined): string[] {
  return identityFile === undefined ? [] : ["-o", "IdentitiesOnly=yes", "-i", identityFile];
}

/** ssh options for the Docker provider's `ssh://` transport: the pin, no prompts, a bounded connect. */
export function dockerSshOptions(host: PinnedSshHost, identityFile: string | undefined): string[] {
  return [...pinnedHostKeyOptions(host), "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", ...identityFileOptions(identityFile)];
}
