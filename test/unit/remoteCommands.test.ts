import { beforeAll, describe, expect, test } from "vitest";
import { type ProgramRun, fakeSecret, isSecretInput, runProgram, unwrapSecret } from "../support/program";

const COMMAND = "command:remote:Command";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

interface Connection {
  host: string;
  port: number;
  user: string;
  privateKey: unknown;
  hostKey: string;
  dialErrorLimit: number;
}

function connectionOf(inputs: Record<string, unknown>): Connection {
  return unwrapSecret(inputs.connection) as Connection;
}

describe.each([
  { tier: "rex", flask: "192.0.2.10", web: 8001, domain: "rex.example.com" },
  { tier: "siong", flask: "192.0.2.20", web: 8005, domain: "siong.example.com" },
  { tier: "dev", flask: "192.0.2.30", web: 8000, domain: "heng.example.com" },
] as const)("remote commands of $tier", ({ tier, flask, web, domain }) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(tier);
  });

  test("the edge installs the tier's own files on the aaPanel host", () => {
    const site = run.one(COMMAND, `${tier}-edge-site`).inputs;
    expect(connectionOf(site).host).toBe("192.0.2.5");
    const stdin = String(site.stdin);
    // One file per tier (zone and server together), so a change is one rename on the host.
    expect(stdin).not.toContain(`/www/server/panel/vhost/nginx/0.cm-infra-${tier}.conf`);
    expect(stdin).toContain(`/www/server/panel/vhost/nginx/cm-infra-${tier}.conf`);
    expect(stdin).toContain(`server_name ${domain};`);
    expect(stdin).toContain(`proxy_pass http://${flask}:${web};`);
    expect(stdin).toContain(`auth_basic_user_file /www/server/pass/cm-infra-${tier}/${tier}.htpasswd;`);
    expect(stdin).toContain(`zone=cm_infra_${tier}_req`);
    expect(String(site.create)).toContain("/www/server/nginx/sbin/nginx");
    expect(site.update).toBe(site.create);
    expect(String(site.delete)).toContain(`cm-infra-${tier}`);
  });

  test("the operator's htpasswd travels only as a secret bcrypt line on stdin", () => {
    const htpasswd = run.one(COMMAND, `${tier}-edge-htpasswd`).inputs;
    expect(isSecretInput(htpasswd.stdin)).toBe(true);
    expect(String(unwrapSecret(htpasswd.stdin))).toMatch(new RegExp(`^${tier}-operator:\\$2[aby]\\$10\\$`));
    expect(String(htpasswd.create)).not.toContain("$2a$");
    const password = run.one(RANDOM_PASSWORD, `${tier}-edge-operator-password`).inputs;
    expect(password.keepers).toEqual({ rotation: expect.any(String) });
    expect(password.length).toBeGreaterThanOrEqual(24);
  });

  test("the firewall runs on the Flask host and names the tier, its web port and the proxy", () => {
    const firewall = run.one(COMMAND, `${tier}-firewall-rules`).inputs;
    expect(connectionOf(firewall).host).toBe(flask);
    const script = String(firewall.create);
    expect(script).toContain(`cm-infra-${tier}`);
    expect(script).toContain(String(web));
    expect(script).toContain("192.0.2.5");
    if (tier === "dev") expect(script).toContain("127.0.0.1");
  });

  test("every remote command pins the host key, limits dial retries and keeps secrets off the command line", () => {
    const commands = run.byType(COMMAND);
    expect(commands).toHaveLength(3);
    for (const { name, inputs } of commands) {
      expect(isSecretInput(inputs.connection), name).toBe(true);
      const connection = connectionOf(inputs);
      expect(connection.hostKey, name).toMatch(/^ssh-ed25519 AAAA/);
      expect(connection.dialErrorLimit, name).toBeLessThanOrEqual(3);
      expect(connection.privateKey, name).toBe(fakeSecret("sshPrivateKey"));
      expect(inputs.addPreviousOutputInEnv, name).toBe(false);
      expect(inputs.logging, name).toBe("stderr");
      expect(inputs.environment, name).toBeUndefined();
      for (const field of ["create", "update", "delete"]) {
        expect(String(inputs[field]), `${name}.${field}`).not.toMatch(/FAKE-SECRET|\$2[aby]\$/);
      }
    }
  });

  test("the operator credentials are exported, the password as a secret", () => {
    expect(run.outputs.operatorUser).toBe(`${tier}-operator`);
    expect(run.outputs.publicUrl).toBe(`${tier === "dev" ? "http" : "https"}://${domain}/`);
  });
});

describe("tiers without a public vhost", () => {
  test("dev with publishThroughEdge false installs nothing on the aaPanel host", async () => {
    const run = await runProgram("dev", { overrides: { publishThroughEdge: "false", debug: "true" } });
    expect(run.byType(COMMAND).map((command) => command.name)).toEqual(["dev-firewall-rules"]);
    expect(run.byType(RANDOM_PASSWORD)).toEqual([]);
  });
});

describe("repairing drift with reapplyGeneration", () => {
  test("a new generation changes every remote create/update in place, never the triggers", async () => {
    const before = await runProgram("rex");
    const after = await runProgram("rex", { overrides: { reapplyGeneration: "2" } });
    for (const command of before.byType(COMMAND)) {
      const changed = after.one(COMMAND, command.name).inputs;
      expect(changed.create, command.name).toBe(`# cm-infra reapply generation 2\n${String(command.inputs.create)}`);
      expect(changed.update, command.name).toBe(changed.create);
      expect(changed.triggers, command.name).toEqual(command.inputs.triggers);
      expect(changed.delete, command.name).toBe(command.inputs.delete);
    }
  });

  test("the marker is a comment to the remote login shell", async () => {
    const { execFileSync } = await import("node:child_process");
    const marked = `# cm-infra reapply generation 2\necho applied`;
    expect(execFileSync("/bin/sh", ["-c", marked], { encoding: "utf8" })).toBe("applied\n");
  });
});

describe("ordering and lifecycle options the engine acts on", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram("rex");
  });

  test("no container is created before the firewall that filters its port", () => {
    const firewallUrn = "urn:pulumi:rex::cm-infra::cm:firewall:HostFirewall$command:remote:Command::rex-firewall-rules";
    for (const container of run.byType("docker:index/container:Container")) {
      const dependencies = container.options?.dependencies ?? [];
      expect(dependencies.some((urn) => urn === firewallUrn || urn.endsWith("cm:firewall:HostFirewall::rex-firewall")), container.name).toBe(true);
    }
  });

  test("remote commands delete before they replace (a create-first replacement would lose its files to the old delete)", () => {
    for (const command of run.byType(COMMAND)) expect(command.options?.deleteBeforeReplace, command.name).toBe(true);
  });

  test("the database volume is retained on destroy", () => {
    expect(run.one("docker:index/volume:Volume", "rex-database").options?.retainOnDelete).toBe(true);
  });
});

describe("the edge's default Content-Security-Policy", () => {
  test("is the one the nginx behaviour tests serve", async () => {
    const { DEFAULT_CONTENT_SECURITY_POLICY } = await import("../../config/defaults");
    const run = await runProgram("rex");
    expect(String(run.one(COMMAND, "rex-edge-site").inputs.stdin)).toContain(`"${DEFAULT_CONTENT_SECURITY_POLICY}"`);
  });
});
