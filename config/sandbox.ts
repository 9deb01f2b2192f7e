import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { AAPANEL_FIREWALL_KEY, firewallOf } from "./aapanelFirewall";
import { REGISTRY_PASSWORD_SECRET, SSH_KEY_SECRET } from "./defaults";
import { SANDBOX_FILLED_KEYS, SECRET_KEYS } from "./keys";
import { Problems, type Raw, isRecord, show } from "./reader";
import { type SandboxRegistry, sandboxRegistry, sandboxRegistryPasswordFile } from "./sandboxRegistry";
import { type PlainConfig, type ValidationInput, validateConfig } from "./validate";

export interface SandboxSettings {
  /** Config values the sandbox fills in for the stack file. */
  readonly values: Raw;
  /** The throwaway deployer key `sandbox:up` generated. */
  readonly privateKeyPath: string;
  /** The private registry's pull account; absent in a state file from before the registry host. */
  readonly registry?: SandboxRegistry;
}

const PROJECT_ROOT = join(__dirname, "..");

/**
 * A secret stored on the sandbox tier would never be read: the deployer key and the
 * registry password come from sandboxState, like the hosts, and the app secrets are
 * generated. Each is refused, so nobody believes a value they set is the one in use.
 */
function refuseStoredSecrets(problems: Problems, presentSecrets: ReadonlySet<string>, stackName: string): void {
  const why = (key: string): string => {
    if (key === REGISTRY_PASSWORD_SECRET) return "is read from sandboxState's registry.passwordFile on the sandbox tier";
    if (key === SSH_KEY_SECRET) return "is the deployer key sandbox:up made (sandboxState's sshKey) on the sandbox tier";
    return "is generated on the sandbox tier (a throwaway value per stack)";
  };
  for (const key of SECRET_KEYS.filter((candidate) => presentSecrets.has(candidate))) {
    problems.add(key, `${why(key)}: remove it with pulumi config rm ${key} --stack ${stackName}`);
  }
}

/** One host as `sandbox/up.sh` records it; its values are validated as flaskHost/aapanelHost. */
function sandboxHost(entry: unknown): Raw | undefined {
  if (!isRecord(entry)) return undefined;
  return { address: entry.address, sshUser: "root", sshPort: entry.sshPort, hostKey: entry.hostKey };
}

function parseState(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The sandbox stack needs no manual config: hosts, host keys and the deployer key come
 * from the state file `npm run sandbox:up` writes (addresses are read, not assumed).
 */
export function readSandboxState(problems: Problems, value: unknown, root: string = PROJECT_ROOT): SandboxSettings | undefined {
  if (typeof value !== "string" || value === "") {
    problems.add("sandboxState", "is required on the sandbox tier (path to sandbox.json written by npm run sandbox:up)");
    return undefined;
  }
  const path = isAbsolute(value) ? value : join(root, value);
  if (!existsSync(path)) {
    problems.add("sandboxState", `${show(value)} does not exist: start the sandbox with npm run sandbox:up`);
    return undefined;
  }
  const state = parseState(path);
  const hosts = isRecord(state) && isRecord(state.hosts) ? state.hosts : undefined;
  const flaskhost = sandboxHost(hosts?.flaskhost);
  const proxy = sandboxHost(hosts?.proxy);
  if (!isRecord(state) || typeof state.sshKey !== "string" || flaskhost === undefined || proxy === undefined) {
    problems.add("sandboxState", `${show(value)} is not a sandbox state file: run npm run sandbox:up again`);
    return undefined;
  }
  const sshKey = isAbsolute(state.sshKey) ? state.sshKey : join(dirname(path), state.sshKey);
  return {
    privateKeyPath: sshKey,
    registry: sandboxRegistry(state.registry, dirname(path)),
    values: {
      flaskHost: flaskhost,
      aapanelHost: proxy,
      lanAddress: flaskhost.address,
      dockerHost: `ssh://root@${String(flaskhost.address)}:${String(flaskhost.sshPort)}`,
      dockerSshIdentityFile: sshKey,
    },
  };
}

/** The state's aaPanel host with the stack file's aapanelHost.firewall, if it has one. */
function withStackFirewall(filled: Raw | undefined, stack: Raw): Raw | undefined {
  const firewall = firewallOf(stack.aapanelHost);
  if (filled === undefined || firewall === undefined || !isRecord(filled.aapanelHost)) return filled;
  return { ...filled, aapanelHost: { ...filled.aapanelHost, [AAPANEL_FIREWALL_KEY]: firewall } };
}

export type StackResolution =
  | { readonly ok: true; readonly config: PlainConfig; readonly sandboxKeyPath?: string; readonly sandboxRegistryPasswordFile?: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates a stack's values the same way for the program and for tools that read the
 * stack file directly: on the sandbox tier the state file fills in the hosts first, and
 * no secret is required (app secrets are generated; the key and the registry password
 * are the ones sandbox:up made).
 * A relative sandboxState is inside root, the project folder.
 */
export function resolveStackValues(input: ValidationInput, root: string = PROJECT_ROOT): StackResolution {
  const problems = new Problems(input.stackFile, input.namespace);
  const isSandbox = (input.values.tier ?? input.stackName) === "sandbox";
  if (isSandbox) {
    for (const key of SANDBOX_FILLED_KEYS) {
      if (!(key in input.values)) continue;
      // aapanelHost.firewall is the stack's own choice; the host itself comes from the state.
      if (key === "aapanelHost" && isRecord(input.values.aapanelHost) && Object.keys(input.values.aapanelHost).every((name) => name === AAPANEL_FIREWALL_KEY)) continue;
      problems.add(key, `is filled in from sandboxState on the sandbox tier: remove it from the stack file${key === "aapanelHost" ? ` (only aapanelHost.${AAPANEL_FIREWALL_KEY} may stay)` : ""}`);
    }
    refuseStoredSecrets(problems, input.presentSecrets, input.stackName);
  }
  const sandbox = isSandbox ? readSandboxState(problems, input.values.sandboxState, root) : undefined;
  const result = validateConfig({
    ...input,
    values: { ...input.values, ...withStackFirewall(sandbox?.values, input.values) },
    requiredSecrets: isSandbox ? [] : input.requiredSecrets,
    // The sandbox's registry password is no stack secret: sandboxRegistryPasswordFile checks it.
    ...(isSandbox ? { presentSecrets: new Set<string>(), secretsKnown: false } : {}),
  });
  const registryPasswordFile = sandbox !== undefined && result.ok ? sandboxRegistryPasswordFile(problems, input.values.sandboxState, sandbox.registry, result.config.images, input.secretsKnown) : undefined;
  // Without a state file the hosts are unknown (sandboxState's own line says why); with
  // one, a bad host value came from it, not from the stack file.
  const filled = SANDBOX_FILLED_KEYS.map((key) => `${input.stackFile}: ${input.namespace}:${key}`);
  const ownFirewall = `${input.stackFile}: ${input.namespace}:aapanelHost.${AAPANEL_FIREWALL_KEY}`;
  const isFilled = (line: string) => !line.startsWith(ownFirewall) && filled.some((prefix) => line.startsWith(`${prefix}:`) || line.startsWith(`${prefix}.`));
  const fromValidation = (result.ok ? [] : result.problems)
    .filter((line) => !(isSandbox && sandbox === undefined && isFilled(line)))
    .map((line) => (sandbox !== undefined && isFilled(line) ? `${line} (the value comes from sandboxState ${show(input.values.sandboxState)}: run npm run sandbox:up again)` : line));
  const all = [...problems.list, ...fromValidation];
  if (all.length > 0 || !result.ok) return { ok: false, problems: all };
  return { ok: true, config: result.config, sandboxKeyPath: sandbox?.privateKeyPath, sandboxRegistryPasswordFile: registryPasswordFile };
}
