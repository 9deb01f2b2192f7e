import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { APP_SECRET_KEYS, REGISTRY_PASSWORD_SECRET, SSH_KEY_SECRET } from "./defaults";
import { OBJECT_KEYS, REQUIRED_SECRETS, SCALAR_KEYS, SECRET_KEYS } from "./keys";
import type { AppSecrets, CmConfig } from "./types";
import { resolveStackValues } from "./sandbox";
import { readSiblingStacks, siblingClashProblems } from "./siblings";

/**
 * A config problem users fix in their stack file. RunError makes the CLI print the message
 * alone, one line per problem, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Reads the stack's config at the program's edge, validates all of it (and against the
 * sibling stack files that share its hosts) before any resource is declared, and throws
 * one ConfigError listing every problem.
 */
export function loadConfig(): CmConfig {
  const config = new pulumi.Config();
  const namespace = config.name;
  const stackName = pulumi.getStack();
  const stackFile = `Pulumi.${stackName}.yaml`;
  const early: string[] = [];

  const values: Record<string, unknown> = {};
  const presentSecrets = new Set<string>();
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== namespace || key === undefined) continue;
    if (SECRET_KEYS.includes(key)) {
      presentSecrets.add(key);
      if (!isStoredAsSecret(fullKey)) {
        early.push(`${stackFile}: ${namespace}:${key}: is stored in plaintext; set it with pulumi config set --secret ${key}`);
      }
    } else if ((OBJECT_KEYS as readonly string[]).includes(key)) {
      try {
        values[key] = JSON.parse(config.get(key) ?? "null");
      } catch {
        early.push(`${stackFile}: ${namespace}:${key}: must be a YAML mapping`);
      }
    } else if ((SCALAR_KEYS as readonly string[]).includes(key)) {
      values[key] = config.get(key);
    } else {
      // Unknown (perhaps a misspelt secret): validation names the key; its value is never read.
      values[key] = undefined;
    }
  }

  const resolved = resolveStackValues({ stackName, stackFile, namespace, values, presentSecrets, requiredSecrets: REQUIRED_SECRETS, secretsKnown: true });
  // Clashes with the other stacks in the project folder need this stack's own values valid.
  const clashes = resolved.ok ? siblingClashProblems({ stackFile, config: resolved.config }, namespace, readSiblingStacks(stackName)) : [];
  const problems = [...early, ...(resolved.ok ? clashes : resolved.problems)];
  if (problems.length > 0 || !resolved.ok) throw new ConfigError(problems);

  const secret = (key: string): pulumi.Output<string> => config.requireSecret(key);
  // Validation made it present exactly when registryAuth is set, on every tier; the
  // sandbox's is in the file its state names, read like its deployer key.
  const withAuth = resolved.config.images.kind === "registry" && resolved.config.images.auth !== undefined;
  const sandboxPasswordFile = resolved.sandboxRegistryPasswordFile;
  const registryPassword = sandboxPasswordFile !== undefined ? pulumi.secret(readFileSync(sandboxPasswordFile, "utf8")) : withAuth ? secret(REGISTRY_PASSWORD_SECRET) : undefined;
  if (resolved.sandboxKeyPath !== undefined) {
    return { ...resolved.config, secrets: undefined, registryPassword, sshPrivateKey: pulumi.secret(readFileSync(resolved.sandboxKeyPath, "utf8")) };
  }
  const secrets = Object.fromEntries(APP_SECRET_KEYS.map((key) => [key, secret(key)])) as unknown as AppSecrets;
  return { ...resolved.config, secrets, registryPassword, sshPrivateKey: secret(SSH_KEY_SECRET) };
}

/** Pulumi tells the program which config keys were `--secret`; the hook is internal. */
function isStoredAsSecret(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret === undefined ? true : runtime.isConfigSecret(fullKey);
}
