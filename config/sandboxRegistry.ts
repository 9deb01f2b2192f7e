import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { type Problems, isRecord, show } from "./reader";
import type { ImageSource } from "./types";

/**
 * The pull account `sandbox:up` made on the sandbox's private registry. Its password is
 * made per sandbox and kept in a file, so the sandbox stack needs no registry secret.
 */
export interface SandboxRegistry {
  /** host:port, as images.registryAuth.address names it. */
  readonly address: string;
  readonly username: string;
  readonly passwordFile: string;
}

/** sandbox.json's `registry` block; a relative passwordFile is beside sandbox.json (in dir). */
export function sandboxRegistry(entry: unknown, dir: string): SandboxRegistry | undefined {
  if (!isRecord(entry) || typeof entry.address !== "string" || typeof entry.username !== "string" || typeof entry.passwordFile !== "string") return undefined;
  return { address: entry.address, username: entry.username, passwordFile: isAbsolute(entry.passwordFile) ? entry.passwordFile : join(dir, entry.passwordFile) };
}

/**
 * With images.registryAuth on the sandbox tier, the password is the one sandbox.json
 * holds for its pull account, so registryAuth must name that account: any other would
 * fail at the first pull with "unauthorized" instead of here. Returns the password file,
 * whose presence matters only to the program (secretsRead), not to tools that read the
 * stack file without secrets.
 */
export function sandboxRegistryPasswordFile(
  problems: Problems,
  stateValue: unknown,
  registry: SandboxRegistry | undefined,
  images: ImageSource,
  secretsRead: boolean,
): string | undefined {
  const auth = images.kind === "registry" ? images.auth : undefined;
  if (auth === undefined) return undefined;
  if (registry === undefined) {
    problems.add("sandboxState", `${show(stateValue)} names no registry, which images.registryAuth needs (a sandbox from before the registry host): run npm run sandbox:up again`);
    return undefined;
  }
  if (auth.address !== registry.address || auth.username !== registry.username) {
    problems.add(
      "images.registryAuth",
      `${show(`${auth.username}@${auth.address}`)} is not the sandbox registry's pull account ${show(`${registry.username}@${registry.address}`)}, the only one sandboxState holds a password for: set address: ${registry.address} and username: ${registry.username}`,
    );
    return undefined;
  }
  if (secretsRead && !existsSync(registry.passwordFile)) {
    problems.add("sandboxState", `registry.passwordFile ${show(registry.passwordFile)} does not exist: run npm run sandbox:up again`);
    return undefined;
  }
  return registry.passwordFile;
}
