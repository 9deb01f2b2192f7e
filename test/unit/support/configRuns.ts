import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { parse } from "yaml";
import { PROJECT, ROOT, SECRET_KEYS, fakeSecret, settle } from "../../support/program";

/** A stack file's cm-infra settings, parsed: keys without the namespace, YAML values. */
export type StackValues = Record<string, unknown>;

export function committedValues(stack: string): StackValues {
  const document = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  const values: StackValues = {};
  for (const [fullKey, value] of Object.entries(document.config ?? {})) values[fullKey.slice(`${PROJECT}:`.length)] = value;
  return values;
}

export const SANDBOX_FIXTURE = "test/fixtures/sandbox/sandbox.json";

export interface Secrets {
  /** Secret values by key (never in plaintext unless listed in plaintext). */
  readonly values: Record<string, string>;
  readonly plaintext?: readonly string[];
}

/** The fake secrets every non-sandbox tier needs. */
export function requiredSecrets(): Record<string, string> {
  return Object.fromEntries(SECRET_KEYS.map((key) => [key, fakeSecret(key)]));
}

export interface ProgramOutcome {
  readonly error: unknown;
  /** Resources the program registered before it stopped. */
  readonly resources: number;
}

/**
 * Runs index.ts under Pulumi's mocks with the given stack values, as the CLI hands them to
 * a program (mappings as JSON strings), counting every resource registered, failure or not.
 */
export async function runWithValues(stack: string, values: StackValues, secrets: Secrets): Promise<ProgramOutcome> {
  let resources = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources += 1;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    true,
  );
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(secrets.values)) config[`${PROJECT}:${key}`] = value;
  const secretKeys = Object.keys(secrets.values).filter((key) => !secrets.plaintext?.includes(key));
  pulumi.runtime.setAllConfig(config, secretKeys.map((key) => `${PROJECT}:${key}`));
  vi.resetModules();
  let error: unknown;
  try {
    await import("../../../index");
  } catch (caught) {
    error = caught;
  }
  await settle();
  return { error, resources };
}
