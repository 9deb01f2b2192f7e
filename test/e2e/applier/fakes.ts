import { createHash } from "node:crypto";
import type { DockerEngine, DockerRunnerFactory, ProcessResult, SshExecutor, SshSession } from "./types";

/** Unit-test transports that record what would run instead of running it. */

export interface DockerCall {
  readonly host: string;
  readonly args: readonly string[];
  readonly environment: Readonly<Record<string, string>> | undefined;
}

const OK: ProcessResult = { exitCode: 0, stdout: "", stderr: "" };

/**
 * A pretend engine: images listed exist, networks/containers appear when created. `health`
 * answers Create's wait loop (default "healthy"); `inspect` answers a full container
 * inspect (the provider's Read on refresh).
 */
export function fakeDocker(
  images: Readonly<Record<string, string>> = {},
  options: { readonly health?: (container: string) => string; readonly inspect?: (container: string) => unknown } = {},
): { readonly calls: DockerCall[]; readonly factory: DockerRunnerFactory } {
  const calls: DockerCall[] = [];
  const networks = new Map<string, boolean>();
  let nextId = 1;
  const answer = (args: readonly string[]): ProcessResult => {
    const [first, second] = args;
    const last = args[args.length - 1] ?? "";
    if (first === "image" && second === "inspect") {
      const id = images[last];
      return id === undefined
        ? { exitCode: 1, stdout: "", stderr: `Error: No such image: ${last}` }
        : { ...OK, stdout: JSON.stringify({ Id: id, RepoDigests: [`${last.split(":")[0] ?? last}@sha256:${"d".repeat(64)}`] }) };
    }
    if (first === "network" && second === "inspect") {
      // By name or by the id `network create` printed.
      const internal = networks.get(last) ?? networks.get(last.replace(/^net-/, ""));
      const name = last.replace(/^net-/, "");
      if (internal === undefined) return { exitCode: 1, stdout: "", stderr: `Error: No such network: ${last}` };
      return { ...OK, stdout: args.some((arg) => arg.includes(".Name")) ? `${name} ${internal}\n` : `net-${name} ${internal}\n` };
    }
    if (first === "network" && second === "create") {
      networks.set(last, args.includes("--internal"));
      return { ...OK, stdout: `net-${last}\n` };
    }
    if (first === "network" && second === "rm") networks.delete(last);
    if (first === "create") return { ...OK, stdout: `container-${nextId++}\n` };
    if (first === "container" && second === "inspect") {
      if (args.includes("--format")) return { ...OK, stdout: `${options.health?.(last) ?? "healthy"} running\n` };
      const inspect = options.inspect?.(last);
      return inspect === undefined ? { exitCode: 1, stdout: "", stderr: `Error: No such container: ${last}` } : { ...OK, stdout: JSON.stringify([inspect]) };
    }
    if (first === "volume" && second === "create") return { ...OK, stdout: `${last}\n` };
    return OK;
  };
  return {
    calls,
    factory: (engine: DockerEngine) => async (args, environment) => {
      calls.push({ host: engine.host, args: [...args], environment });
      return answer(args);
    },
  };
}

/** Records sessions; `respond` may fail chosen commands. */
export function fakeSsh(respond: (session: SshSession) => ProcessResult = (session) => ({ ...OK, stdout: `ran ${session.command}\n` })): {
  readonly sessions: SshSession[];
  readonly executor: SshExecutor;
} {
  const sessions: SshSession[] = [];
  return {
    sessions,
    executor: async (session) => {
      sessions.push(session);
      return respond(session);
    },
  };
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Fast, deterministic, bcrypt-shaped stand-in (a one-way digest: the password never shows). */
export const fakeBcrypt = async (password: string): Promise<string> => {
  const digest = createHash("sha512").update(password).digest();
  const body = Array.from(digest.subarray(0, 53), (byte) => BCRYPT_ALPHABET[byte % 64]).join("");
  return `$2a$10$${body}`;
};
