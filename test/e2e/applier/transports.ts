import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "./processRunner";
import { shellJoin } from "./shellQuote";
import type { DockerRunner } from "./types";

/** The local docker CLI against `host` (e.g. unix:///var/run/docker.sock). */
export function localDockerRunner(host: string, dockerBinary = "docker"): DockerRunner {
  return (args, environment) => runProcess(dockerBinary, ["--host", host, ...args], undefined, { ...process.env, ...environment });
}

export interface SshDockerTarget {
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string;
  /** "ssh-ed25519 AAAA..." as in the stack config; pinned, nothing else accepted. */
  readonly hostKey: string;
}

/**
 * The remote shell exports NAME=value lines read from stdin, then execs docker: values
 * reach the remote CLI's environment without touching argv (here or there) or disk.
 */
export function remoteDockerCommand(args: readonly string[], environment: Readonly<Record<string, string>> = {}): { readonly command: string; readonly stdin: string | undefined } {
  const docker = shellJoin(["docker", ...args]);
  const names = Object.keys(environment);
  if (names.length === 0) return { command: `exec ${docker}`, stdin: undefined };
  const stdin = names.map((name) => `${name}=${environment[name] ?? ""}\n`).join("");
  return { command: `while IFS= read -r line; do export "$line"; done; exec ${docker}`, stdin };
}

/**
 * Runs the docker CLI ON the host over ssh, the host key pinned. Returns the runner and
 * a cleanup for its known_hosts file.
 */
export function dockerOverSsh(target: SshDockerTarget, sshBinary = "ssh"): { readonly run: DockerRunner; readonly close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "cm-applier-docker-"));
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `docker-host ${target.hostKey.trim()}\n`, { mode: 0o600 });
  const sshArgs = [
    "-F", "/dev/null",
    "-i", target.identityFile,
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=yes",
    "-o", `UserKnownHostsFile=${knownHosts}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "HostKeyAlias=docker-host",
    "-o", "ConnectTimeout=15",
    "-o", "LogLevel=ERROR",
    "-p", String(target.port),
    "-l", target.user,
    target.address,
    "--",
  ];
  return {
    // ssh joins its command words for the remote shell, so the script goes as one argument.
    run: (args, environment) => {
      const remote = remoteDockerCommand(args, environment);
      return runProcess(sshBinary, [...sshArgs, remote.command], remote.stdin);
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
