import { describe, expect, test } from "vitest";
import { type ProgramRun, isSecretInput, runProgram, unwrapSecret, plaintextStrings } from "../support/program";

// The Docker provider pulls RemoteImages with its own registryAuth only (README "Private
// registries"); these tests hold the program to giving it one, with the password secret.

const PROVIDER = "pulumi:providers:docker";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const PASSWORD = "FAKE-REGISTRY-PASSWORD-91c2";
const AUTH = { address: "registry.example.com", username: "cm-deployer" };
const IMAGES = { prefix: "registry.example.com/cm", tag: "2026.11.1", registryAuth: AUTH };

function withRegistryAuth(stack: string): Promise<ProgramRun> {
  return runProgram(stack, { overrides: { images: JSON.stringify(IMAGES) }, extraSecrets: { registryPassword: PASSWORD } });
}


describe.each(["rex", "siong"] as const)("stack %s with images.registryAuth", (tier) => {
  test("the tier's docker provider gets registryAuth for the images' registry, the whole list a secret", async () => {
    const run = await withRegistryAuth(tier);
    const registryAuth = run.one(PROVIDER, `${tier}-docker`).inputs.registryAuth;
    // The SDK JSON-encodes the list; one secret inside makes the encoded string secret.
    expect(isSecretInput(registryAuth)).toBe(true);
    expect(JSON.parse(String(unwrapSecret(registryAuth)))).toEqual([{ ...AUTH, password: PASSWORD }]);
    const images = run.byType(REMOTE_IMAGE).map((image) => String(image.inputs.name));
    expect(images.filter((name) => name.startsWith(`${AUTH.address}/`))).toHaveLength(4);
  });

  test("the password appears in no input or output outside a secret", async () => {
    const run = await withRegistryAuth(tier);
    const leaks = [...run.resources.flatMap((resource) => plaintextStrings(resource.inputs).map((text) => ({ where: `${resource.type} ${resource.name}`, text }))), ...plaintextStrings(run.outputs).map((text) => ({ where: "stack outputs", text }))]
      .filter(({ text }) => text.includes(PASSWORD))
      .map(({ where }) => where);
    expect(leaks).toEqual([]);
  });
});

test("without images.registryAuth the provider sends no credentials", async () => {
  const run = await runProgram("rex");
  expect(run.one(PROVIDER, "rex-docker").inputs.registryAuth).toBeUndefined();
});
