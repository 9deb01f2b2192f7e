import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { Problems, type Raw, isRecord, show } from "./checks";
import { type PlainConfig, type ValidationInput, validateConfig } from "./validate";

/** What `sandbox/up.sh` writes about the hosts it started (addresses are read, not assumed). */
interface SandboxHost {
  readonly address: string;
  readonly sshPort: number;
  readonly hostKey: string;
}
interface SandboxState {
  readonly sshKey: string;
  readonly hosts: { readonly proxy: SandboxHost; readonly flaskhost: SandboxHost };
}

export interface SandboxSettings {
  /** Config values the sandbox fills in for the stack file. */
  readonly values: Raw;
  /** The throwaway deployer key `sandbox:up` generated. */
  readonly privateKeyPath: string;
}

const PROJECT_ROOT = join(__dirname, "..");

/**
 * The sandbox stack needs no manual config: hosts, host keys and the deployer key come
 * from the state file `npm run sandbox:up` writes.
 */
export function readSandboxState(problems: Problems, value: unknown): SandboxSettings | undefined {
  if (typeof value !== "string" || value === "") {
    problems.add("sandboxState", "is required on the sandbox tier (path to sandbox.json written by npm run sandbox:up)");
    return undefined;
  }
  const path = isAbsolute(value) ? value : join(PROJECT_ROOT, value);
  if (!existsSync(path)) {
    problems.add("sandboxState", `${show(value)} does not exist: start the sandbox with npm run sandbox:up`);
    return undefined;
  }
  const state: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!isRecord(state) || !isRecord(state.hosts) || typeof state.sshKey !== "string") {
    problems.add("sandboxState", `${show(value)} is not a sandbox state file`);
    return undefined;
  }
  const { hosts } = state as unknown as SandboxState;
  const sshKey = isAbsolute(state.sshKey) ? state.sshKey : join(dirname(path), state.sshKey);
  const host = (entry: SandboxHost) => ({ address: entry.address, sshUser: "root", sshPort: entry.sshPort, hostKey: entry.hostKey });
  return {
    privateKeyPath: sshKey,
    values: {
      flaskHost: host(hosts.flaskhost),
      aapanelHost: host(hosts.proxy),
      lanAddress: hosts.flaskhost.address,
      dockerHost: `ssh://root@${hosts.flaskhost.address}:${hosts.flaskhost.sshPort}`,
      dockerSshIdentityFile: sshKey,
    },
  };
}

export type StackResolution =
  | { readonly ok: true; readonly config: PlainConfig; readonly sandboxKeyPath?: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates a stack's values the same way for the program and for tools that read the
 * stack file directly: on the sandbox tier the state file fills in the hosts first, and
 * no secret is required (they are generated; the key is the one sandbox:up made).
 */
export function resolveStackValues(input: ValidationInput): StackResolution {
  const problems = new Problems(input.stackFile, input.namespace);
  const isSandbox = (input.values.tier ?? input.stackName) === "sandbox";
  const sandbox = isSandbox ? readSandboxState(problems, input.values.sandboxState) : undefined;
  const result = validateConfig({
    ...input,
    values: { ...input.values, ...sandbox?.values },
    requiredSecrets: isSandbox ? [] : input.requiredSecrets,
  });
  const all = [...problems.list, ...(result.ok ? [] : result.problems)];
  if (all.length > 0 || !result.ok) return { ok: false, problems: all };
  return { ok: true, config: result.config, sandboxKeyPath: sandbox?.privateKeyPath };
}
