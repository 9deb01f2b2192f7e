import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import type { SandboxApplier } from "../applier";
import { PROJECT, SECRET_KEYS, fakeSecret, resolve, stackConfig } from "../../support/program";

/** The digests a fake engine reports for the images Pulumi.rex.yaml names. */
export const REX_IMAGE_DIGESTS: Readonly<Record<string, string>> = {
  "mysql:8.0": `sha256:${"a".repeat(64)}`,
  ...Object.fromEntries(["cm-api", "cm-web", "cm-telegram", "cm-transfer"].map((image, index) => [`registry.example.com/cm/${image}:2026.11.1`, `sha256:${String(index).repeat(64)}`])),
};

/**
 * One `pulumi up --stack rex` of the real program through the applier (whose transports
 * the caller chose): the committed stack file, `overrides` on top (top-level keys, as
 * JSON text for objects), fake secrets. Returns the counters and the stack outputs.
 */
export async function applyRex(applier: SandboxApplier, overrides: Readonly<Record<string, string>> = {}) {
  await applier.install(PROJECT, "rex");
  const config = { ...stackConfig("rex"), ...Object.fromEntries(Object.entries(overrides).map(([key, value]) => [`${PROJECT}:${key}`, value])) };
  for (const key of SECRET_KEYS) config[`${PROJECT}:${key}`] = fakeSecret(key);
  pulumi.runtime.setAllConfig(config, SECRET_KEYS.map((key) => `${PROJECT}:${key}`));
  vi.resetModules();
  const program = (await import("../../../index")) as Record<string, unknown>;
  // finish() first: it waits for every registration and throws on a failed step, whose
  // outputs would otherwise never resolve.
  const counters = await applier.finish();
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(program)) outputs[name] = pulumi.Output.isInstance(value) ? await resolve(value) : value;
  return { counters, outputs };
}
