import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { parse } from "yaml";
import { type ResourceOptionsSeen, captureResourceOptions } from "./resourceOptions";

export const PROJECT = "cm-infra";
export const ROOT = join(__dirname, "..", "..");

/** Every secret the program reads; tests give each a recognisable fake value. */
export const SECRET_KEYS = [
  "dbPassword",
  "dbRootPassword",
  "agentId",
  "agentPassword",
  "securityPin",
  "telegramBotToken",
  "sshPrivateKey",
] as const;

export function fakeSecret(key: string): string {
  return `FAKE-SECRET-${key}-7f3a`;
}

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs with Pulumi's secret wrappers kept, as the engine would receive them. */
  readonly inputs: Record<string, unknown>;
  /** The resource options the engine receives (dependsOn as URNs, deleteBeforeReplace...). */
  readonly options: ResourceOptionsSeen | undefined;
  /** The provider reference ("<urn>::<id>") the resource names, if any. */
  readonly provider: string | undefined;
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  byType(type: string): RecordedResource[];
  one(type: string, name: string): RecordedResource;
}

/** The stack file's config as the CLI hands it to a program: objects as JSON strings. */
export function stackConfig(stack: string): Record<string, string> {
  const document = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

export interface RunOptions {
  /** Config overrides ("key" without namespace); undefined removes a key. */
  readonly overrides?: Record<string, string | undefined>;
  /** Secrets to leave unset. */
  readonly omitSecrets?: readonly string[];
  /** Secrets to store as plaintext (not marked secret). */
  readonly plaintextSecrets?: readonly string[];
  /** More secrets ("key" without namespace -> value), set as secrets. */
  readonly extraSecrets?: Readonly<Record<string, string>>;
  readonly preview?: boolean;
  /**
   * What the engine reports back for a resource instead of the mocks' default (its inputs,
   * plus the few computed values mockState adds): e.g. a container's ports as read back.
   */
  readonly engineState?: (type: string, name: string, state: Record<string, unknown>) => Record<string, unknown>;
  /** Called as each resource reaches the engine, in the order the SDK registers them. */
  readonly onRegister?: (type: string, name: string) => void;
  /**
   * A resource's step still running: the engine answers its registration (and so resolves
   * its URN and outputs) only when the returned promise settles.
   */
  readonly stepRunning?: (type: string, name: string) => Promise<void> | undefined;
}

/**
 * Runs index.ts against Pulumi's mocks with a committed stack file's values (plus fake
 * secrets) and records every resource the program declares.
 */
export async function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const config = stackConfig(stack);
  const secretKeys: string[] = [];
  for (const key of SECRET_KEYS) {
    if (options.omitSecrets?.includes(key)) continue;
    config[`${PROJECT}:${key}`] = fakeSecret(key);
    if (!options.plaintextSecrets?.includes(key)) secretKeys.push(`${PROJECT}:${key}`);
  }
  for (const [key, value] of Object.entries(options.extraSecrets ?? {})) {
    config[`${PROJECT}:${key}`] = value;
    secretKeys.push(`${PROJECT}:${key}`);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete config[`${PROJECT}:${key}`];
    else config[`${PROJECT}:${key}`] = value;
  }

  const resources: RecordedResource[] = [];
  const seenOptions = new Map<string, ResourceOptionsSeen>();
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs, options: seenOptions.get(`${args.type}::${args.name}`), provider: args.provider });
        options.onRegister?.(args.type, args.name);
        await options.stepRunning?.(args.type, args.name);
        const state = mockState(args.type, inputs);
        return { id: `${args.name}-id`, state: options.engineState?.(args.type, args.name, state) ?? state };
      },
      call(args) {
        return args.inputs;
      },
    },
    PROJECT,
    stack,
    options.preview ?? false,
  );
  captureResourceOptions((key, seen) => seenOptions.set(key, seen));
  pulumi.runtime.setAllConfig(config, secretKeys);
  vi.resetModules();
  const program = (await import("../../index")) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(program)) {
    outputs[name] = pulumi.Output.isInstance(value) ? await resolve(value) : value;
  }
  await settle();
  return {
    resources,
    outputs,
    byType: (type) => resources.filter((resource) => resource.type === type),
    one(type, name) {
      const found = resources.find((resource) => resource.type === type && resource.name === name);
      if (!found) throw new Error(`no ${type} named ${name}; have: ${resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
      return found;
    },
  };
}

/**
 * Waits until every registration of this run has reached the mocks, so the run is
 * complete and the next run's setMocks cannot orphan it. The hook is internal to the SDK.
 */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs === undefined) throw new Error("@pulumi/pulumi no longer exposes waitForRPCs; update test/support/program.ts");
  await runtime.waitForRPCs();
}

/** Output-only values the real providers compute; the program reads a few of them. */
function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${"0".repeat(64)}`, repoDigest: `${String(inputs.name)}@sha256:${"1".repeat(64)}` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: "mock-password-value", bcryptHash: "$2a$10$abcdefghijklmnopqrstuuJ0m7Cz5o2u0ZcJZq8vQ8Vq8Vq8Vq8Vq" };
    case "command:remote:Command":
      return { ...inputs, stdout: "cm-infra: unchanged", stderr: "" };
    default:
      return inputs;
  }
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

/** True when a recorded input is wrapped as a Pulumi secret. */
export function isSecretInput(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** The value inside a secret wrapper (or the value itself). */
export function unwrapSecret(value: unknown): unknown {
  return isSecretInput(value) ? (value as { value: unknown }).value : value;
}

/** Every string anywhere in a value, outside secret wrappers: what would be plaintext in state. */
export function plaintextStrings(value: unknown): string[] {
  if (isSecretInput(value)) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(plaintextStrings);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(plaintextStrings);
  return [];
}
