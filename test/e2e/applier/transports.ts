import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerSshOptions } from "../../../render/sshOptions";
import { runProcess } from "./processRunner";
import { shellJoin } from "./shellQuote";
import type { DockerInvocation, DockerRunner } from "./types";

/** The local docker CLI against `host` (e.g. unix:///var/run/docker.sock). */
export function localDockerRunner(host: string, dockerBinary = "docker"): DockerRunner {
  return async (args, environment, invocation) => {
    const env = { ...process.env, ...environment };
    if (invocation?.dockerConfig === undefined) return runProcess(dockerBinary, ["--host", host, ...args], undefined, env);
    // mkdtemp makes the folder 0700; the file is 0600 and gone when the CLI exits.
    const configDir = mkdtempSync(join(tmpdir(), "cm-applier-docker-config-"));
    try {
      writeFileSync(join(configDir, "config.json"), invocation.dockerConfig, { mode: 0o600 });
      return await runProcess(dockerBinary, ["--host", host, ...args], undefined, { ...env, DOCKER_CONFIG: configDir });
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  };
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
 * A dockerConfig goes on stdin instead, into a private temporary DOCKER_CONFIG folder on
 * the host that the shell removes when docker exits.
 */
export function remoteDockerCommand(
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
  invocation: DockerInvocation = {},
): { readonly command: string; readonly stdin: string | undefined } {
  const docker = shellJoin(["docker", ...args]);
  const names = Object.keys(environment);
  if (invocation.dockerConfig !== undefined) {
    if (names.length > 0) throw new Error("remoteDockerCommand: stdin carries either environment or a dockerConfig, not both");
    const script = [
      "umask 077",
      'config_dir="$(mktemp -d)" || exit 125',
      `trap 'rm -rf "$config_dir"' EXIT`,
      "trap 'exit 129' HUP INT TERM",
      'cat >"$config_dir/config.json" || exit 125',
      `DOCKER_CONFIG="$config_dir" ${docker}`,
    ];
    return { command: script.join("; "), stdin: invocation.dockerConfig };
  }
  if (names.length === 0) return { command: `exec ${docker}`, stdin: undefined };
  const stdin = names.map((name) => `${name}=${environment[name] ?? ""}\n`).join("");
  return { command: `while IFS= read -r line; do export "$line"; done; exec ${docker}`, stdin };
}

/**
 * Runs the docker CLI ON the host over ssh, with the ssh options the Docker provider's
 * ssh:// transport gets (the host key pinned, the key file alone). close() is for callers
 * that own the transport's lifetime: the pin travels in the options, nothing is on disk.
 */
export function dockerOverSsh(target: SshDockerTarget, sshBinary = "ssh"): { readonly run: DockerRunner; readonly close: () => void } {
  const sshArgs = [
    "-F", "/dev/null",
    ...dockerSshOptions({ address: target.address, sshPort: target.port, hostKey: target.hostKey.trim() }, target.identityFile),
    "-o", "LogLevel=ERROR",
    "-p", String(target.port),
    "-l", target.user,
    target.address,
    "--",
  ];
  return {
    // ssh joins its command words for the remote shell, so the script goes as one argument.
    run: (args, environment, invocation) => {
      const remote = remoteDockerCommand(args, environment, invocation);
      return runProcess(sshBinary, [...sshArgs, remote.command], remote.stdin);
    },
    close: () => undefined,
  };
}
