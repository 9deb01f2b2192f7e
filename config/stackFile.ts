import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { resolveStackValues } from "./sandbox";
import type { PlainConfig } from "./validate";

const PROJECT_ROOT = join(__dirname, "..");
const NAMESPACE = "cm-infra";

export interface StackFileConfig {
  readonly config: PlainConfig;
  /** The sandbox's throwaway deployer key, when the stack is the sandbox. */
  readonly sandboxKeyPath?: string;
}

/**
 * Reads a stack's non-secret settings straight from Pulumi.<stack>.yaml, for tools that
 * run without the Pulumi engine (drift). Validated by the same rules as the program.
 */
export function readStackFile(stack: string): StackFileConfig {
  const stackFile = `Pulumi.${stack}.yaml`;
  const document = parse(readFileSync(join(PROJECT_ROOT, stackFile), "utf8")) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(document.config ?? {})) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace === NAMESPACE && key !== undefined) values[key] = value;
  }
  const resolved = resolveStackValues({ stackName: stack, stackFile, namespace: NAMESPACE, values, presentSecrets: new Set(), requiredSecrets: [], secretsKnown: false });
  if (!resolved.ok) throw new Error(`invalid configuration:\n  - ${resolved.problems.join("\n  - ")}`);
  return { config: resolved.config, sandboxKeyPath: resolved.sandboxKeyPath };
}
