import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "./checks";
import { APP_SECRET_KEYS, SSH_KEY_SECRET } from "./defaults";
import type { AppSecrets, CmConfig } from "./types";
import { readSandboxState } from "./sandbox";
import { validateConfig } from "./validate";

/** Config keys whose values are YAML objects/lists in the stack file. */
const OBJECT_KEYS = ["flaskHost", "aapanelHost", "images", "gunicorn", "app", "edge", "firewall"] as const;
const SCALAR_KEYS = ["tier", "sandboxState", "dockerHost", "dockerSshIdentityFile", "webPort", "lanAddress", "domain", "debug", "publishThroughEdge", "reapplyGeneration"] as const;
const SECRET_KEYS: readonly string[] = [...APP_SECRET_KEYS, SSH_KEY_SECRET];

/** A config problem users fix in their stack file: reported without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Reads the stack's config at the program's edge, validates all of it before any
 * resource is declared, and throws one ConfigError listing every problem.
 */
export function loadConfig(): CmConfig {
  const config = new pulumi.Config();
  const namespace = config.name;
  const stackName = pulumi.getStack();
  const stackFile = `Pulumi.${stackName}.yaml`;
  const early: string[] = [];

  const values: Record<string, unknown> = {};
  for (const key of SCALAR_KEYS) values[key] = config.get(key);
  for (const key of OBJECT_KEYS) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      values[key] = JSON.parse(text);
    } catch {
      early.push(`${stackFile}: ${namespace}:${key}: must be a YAML object`);
    }
  }

  const known = new Set<string>([...OBJECT_KEYS, ...SCALAR_KEYS, ...SECRET_KEYS]);
  const presentSecrets = new Set<string>();
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== namespace || key === undefined) continue;
    if (!known.has(key)) early.push(`${stackFile}: ${namespace}:${key}: is not a cm-infra setting (see README "Configuration")`);
    if (SECRET_KEYS.includes(key)) {
      presentSecrets.add(key);
      if (!isStoredAsSecret(fullKey)) {
        early.push(`${stackFile}: ${namespace}:${key}: is stored in plaintext; set it with pulumi config set --secret ${key}`);
      }
    }
  }

  const sandboxProblems = new Problems(stackFile, namespace);
  const sandbox = (values.tier ?? stackName) === "sandbox" ? readSandboxState(sandboxProblems, values.sandboxState) : undefined;
  early.push(...sandboxProblems.list);

  const result = validateConfig({
    stackName,
    stackFile,
    namespace,
    values: { ...values, ...sandbox?.values },
    presentSecrets,
    // The sandbox generates its app secrets and uses the key sandbox:up made.
    requiredSecrets: (values.tier ?? stackName) === "sandbox" ? [] : SECRET_KEYS,
  });
  const problems = [...early, ...(result.ok ? [] : result.problems)];
  if (problems.length > 0 || !result.ok) throw new ConfigError(problems);

  const secret = (key: string): pulumi.Output<string> => config.requireSecret(key);
  if (sandbox) {
    return { ...result.config, secrets: undefined, sshPrivateKey: pulumi.secret(readFileSync(sandbox.privateKeyPath, "utf8")) };
  }
  const secrets = Object.fromEntries(APP_SECRET_KEYS.map((key) => [key, secret(key)])) as unknown as AppSecrets;
  return { ...result.config, secrets, sshPrivateKey: secret(SSH_KEY_SECRET) };
}

/** Pulumi tells the program which config keys were `--secret`; the hook is internal. */
function isStoredAsSecret(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret === undefined ? true : runtime.isConfigSecret(fullKey);
}
