import { beforeAll, describe, expect, test } from "vitest";
import { type ProgramRun, isSecretInput, runProgram, unwrapSecret } from "../support/program";

const FIXTURE = "test/fixtures/sandbox/sandbox.json";

describe("the sandbox stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram("sandbox", { omitSecrets: ["dbPassword", "dbRootPassword", "agentId", "agentPassword", "securityPin", "telegramBotToken", "sshPrivateKey"], overrides: { sandboxState: FIXTURE } });
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
