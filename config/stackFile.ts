import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type StackResolution, resolveStackValues } from "./sandbox";
import type { PlainConfig } from "./validate";

export const PROJECT_ROOT = join(__dirname, "..");
const NAMESPACE = "cm-infra";

export interface StackFileConfig {
  readonly config: PlainConfig;
  /** The sandbox's throwaway deployer key, when the stack is the sandbox. */
  readonly sandboxKeyPath?: string;
}

/**
 * A stack's non-secret settings straight from Pulumi.<stack>.yaml in the project folder
 * root, validated by the same rules as the program, without the engine: secrets are not
 * seen (only their keys), and a sandbox stack reads its hosts from its sandboxState.
 */
export function resolveStackFile(stack: string, root: string = PROJECT_ROOT): StackResolution {
  const stackFile = `Pulumi.${stack}.yaml`;
  const document = parse(readFileSync(join(root, stackFile), "utf8")) as { config?: Record<string, unknown> } | null;
  const values: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(document?.config ?? {})) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace === NAMESPACE && key !== undefined) values[key] = value;
  }
  return resolveStackValues({ stackName: stack, stackFile, namespace: NAMESPACE, values, presentSecrets: new Set(), requiredSecrets: [], secretsKnown: false }, root);
}

/** For tools that run without the Pulumi engine (drift): the stack's settings, or a thrown list of problems. */
export function readStackFile(stack: string): StackFileConfig {
  const resolved = resolveStackFile(stack);
  if (!resolved.ok) throw new Error(`invalid configuration:\n  - ${resolved.problems.join("\n  - ")}`);
  return { config: resolved.config, sandboxKeyPath: resolved.sandboxKeyPath };
}
