import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type ProgramRun, ROOT, isSecretInput, runProgram, unwrapSecret } from "../support/program";

const FIXTURE = "test/fixtures/sandbox/sandbox.json";
const FIXTURE_PASSWORD = "FIXTURE-REGISTRY-PASSWORD-NOT-A-REAL-ONE";
const REGISTRY = "registry.sandbox.test:5000";
const APP_SECRETS = ["dbPassword", "dbRootPassword", "agentId", "agentPassword", "securityPin", "telegramBotToken", "sshPrivateKey"];

describe("the sandbox stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram("sandbox", { omitSecrets: APP_SECRETS, overrides: { sandboxState: FIXTURE } });
  });

  test("needs no secrets: app secrets are generated and stay secret", () => {
    const generated = run.byType("random:index/randomPassword:RandomPassword").map((resource) => resource.name);
    expect(generated).toEqual(expect.arrayContaining(["sandbox-secrets-dbPassword", "sandbox-secrets-telegramBotToken"]));
    const api = run.one("docker:index/container:Container", "sandbox-api-server").inputs;
    expect(isSecretInput(api.envs)).toBe(true);
  });

  test("targets the hosts the sandbox state names, with the throwaway key as a secret", () => {
    const provider = run.one("pulumi:providers:docker", "sandbox-docker").inputs;
    expect(provider.host).toBe("ssh://root@198.51.100.3:22");
    expect(String(provider.sshOpts)).toContain("test/fixtures/sandbox/deployer_key");
    const firewall = run.one("command:remote:Command", "sandbox-firewall-rules").inputs;
    expect(isSecretInput(firewall.connection)).toBe(true);
    expect((unwrapSecret(firewall.connection) as { privateKey: string }).privateKey).toBe("FIXTURE-DEPLOYER-KEY-NOT-A-REAL-KEY\n");
    const site = run.one("command:remote:Command", "sandbox-edge-site").inputs;
    expect((unwrapSecret(site.connection) as { host: string }).host).toBe("198.51.100.2");
  });

  test("pulls every image from the sandbox's private registry, with the password from the state file as a secret", () => {
    const registryAuth = run.one("pulumi:providers:docker", "sandbox-docker").inputs.registryAuth;
    expect(isSecretInput(registryAuth)).toBe(true);
    expect(JSON.parse(String(unwrapSecret(registryAuth)))).toEqual([{ address: REGISTRY, username: "cm-deployer", password: FIXTURE_PASSWORD }]);
    // The names sandbox/push-images.sh pushes.
    const images = run.byType("docker:index/remoteImage:RemoteImage").map((image) => String(image.inputs.name));
    expect(images.sort()).toEqual(["cm-api", "cm-mysql", "cm-telegram", "cm-transfer", "cm-web"].map((name) => `${REGISTRY}/cm/${name}:sandbox`));
  });

  test("runs the production flavour", () => {
    const api = run.one("docker:index/container:Container", "sandbox-api-server").inputs;
    expect((api.command as string[])[0]).toBe("gunicorn");
    expect(api.ports ?? []).toEqual([]);
  });

  test("a missing sandbox state tells the newcomer to start the sandbox", async () => {
    await expect(runProgram("sandbox", { overrides: { sandboxState: "sandbox/.state/nope/sandbox.json" } })).rejects.toThrow(
      'Pulumi.sandbox.yaml: cm-infra:sandboxState: "sandbox/.state/nope/sandbox.json" does not exist: start the sandbox with npm run sandbox:up',
    );
  });
});

describe("the sandbox's registry password comes from its state file only", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cm-sandbox-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of the fixture state in dir, changed by edit; returns its absolute path. */
  function stateWith(edit: (state: Record<string, unknown>) => void): string {
    const state = JSON.parse(readFileSync(join(ROOT, FIXTURE), "utf8")) as Record<string, unknown>;
    edit(state);
    copyFileSync(join(ROOT, "test/fixtures/sandbox/deployer_key"), join(dir, "deployer_key"));
    writeFileSync(join(dir, "sandbox.json"), JSON.stringify(state));
    return join(dir, "sandbox.json");
  }
  const runWith = (sandboxState: string, extraSecrets: Record<string, string> = {}) => runProgram("sandbox", { omitSecrets: APP_SECRETS, overrides: { sandboxState }, extraSecrets });

  test("a registryPassword set on the stack is refused (it would never be read)", async () => {
    await expect(runWith(FIXTURE, { registryPassword: "FAKE-STORED-REGISTRY-PASSWORD" })).rejects.toThrow(
      "Pulumi.sandbox.yaml: cm-infra:registryPassword: is read from sandboxState's registry.passwordFile on the sandbox tier: remove it with pulumi config rm registryPassword --stack sandbox",
    );
  });

  test("a stored deployer key or app secret is refused too (the sandbox's own are used)", async () => {
    const refused = runWith(FIXTURE, { sshPrivateKey: "FAKE-STORED-KEY", telegramBotToken: "FAKE-STORED-TOKEN" });
    await expect(refused).rejects.toThrow(
      "Pulumi.sandbox.yaml: cm-infra:sshPrivateKey: is the deployer key sandbox:up made (sandboxState's sshKey) on the sandbox tier: remove it with pulumi config rm sshPrivateKey --stack sandbox",
    );
    await expect(refused).rejects.toThrow(
      "Pulumi.sandbox.yaml: cm-infra:telegramBotToken: is generated on the sandbox tier (a throwaway value per stack): remove it with pulumi config rm telegramBotToken --stack sandbox",
    );
  });

  test("a state file from before the registry host says to run sandbox:up again", async () => {
    const path = stateWith((state) => delete state.registry);
    await expect(runWith(path)).rejects.toThrow(`Pulumi.sandbox.yaml: cm-infra:sandboxState: "${path}" names no registry, which images.registryAuth needs (a sandbox from before the registry host): run npm run sandbox:up again`);
  });

  test("a missing password file is named", async () => {
    const path = stateWith(() => undefined);
    await expect(runWith(path)).rejects.toThrow(`Pulumi.sandbox.yaml: cm-infra:sandboxState: registry.passwordFile "${join(dir, "registry-password")}" does not exist: run npm run sandbox:up again`);
  });

  test("registryAuth naming another account than the state's is refused", async () => {
    const path = stateWith((state) => (state.registry = { ...(state.registry as object), username: "sandbox-pusher" }));
    await expect(runWith(path)).rejects.toThrow(
      'Pulumi.sandbox.yaml: cm-infra:images.registryAuth: "cm-deployer@registry.sandbox.test:5000" is not the sandbox registry\'s pull account "sandbox-pusher@registry.sandbox.test:5000", the only one sandboxState holds a password for',
    );
  });

  test("an absolute passwordFile is read as it is", async () => {
    writeFileSync(join(dir, "elsewhere"), "FAKE-ABSOLUTE-REGISTRY-PASSWORD");
    const run = await runWith(stateWith((state) => (state.registry = { ...(state.registry as object), passwordFile: join(dir, "elsewhere") })));
    const registryAuth = run.one("pulumi:providers:docker", "sandbox-docker").inputs.registryAuth;
    expect(JSON.parse(String(unwrapSecret(registryAuth)))).toEqual([{ address: REGISTRY, username: "cm-deployer", password: "FAKE-ABSOLUTE-REGISTRY-PASSWORD" }]);
  });
});
