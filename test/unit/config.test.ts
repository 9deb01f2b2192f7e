import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../config/load";
import { resolveStackValues } from "../../config/sandbox";
import type { CmConfig } from "../../config/types";
import { type ValidationInput, validateConfig } from "../../config/validate";
import { PROJECT, ROOT, SECRET_KEYS, fakeSecret, resolve, runProgram, stackConfig } from "../support/program";
import { publicHostKey } from "./support/sshKeys";

const REQUIRED = ["dbPassword", "dbRootPassword", "agentId", "agentPassword", "securityPin", "telegramBotToken", "sshPrivateKey"];

/** The committed stack file's values, parsed as the program parses them. */
function stackValues(stack: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(stackConfig(stack))) {
    const key = fullKey.split(":")[1] ?? fullKey;
    values[key] = text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text;
  }
  return values;
}

function inputOf(stack: string, present = REQUIRED): ValidationInput {
  return {
    stackName: stack,
    stackFile: `Pulumi.${stack}.yaml`,
    namespace: "cm-infra",
    values: stackValues(stack),
    presentSecrets: new Set(present),
    requiredSecrets: REQUIRED,
    secretsKnown: true,
  };
}

function validate(stack: string, change: (values: Record<string, unknown>) => void = () => undefined, present = REQUIRED) {
  const input = inputOf(stack, present);
  change(input.values);
  return validateConfig(input);
}

function problemsOf(result: ReturnType<typeof validate>): readonly string[] {
  return result.ok ? [] : result.problems;
}

function withObject(key: string, field: string, value: unknown) {
  return (values: Record<string, unknown>) => {
    values[key] = { ...(values[key] as object), [field]: value };
  };
}

describe("committed stack files", () => {
  test.each(["rex", "siong", "dev"])("%s validates", (stack) => {
    expect(problemsOf(validate(stack))).toEqual([]);
  });
});

// The malformed stack files, one per problem, are in configMalformed.test.ts.
describe("what validation reports, and what it still accepts", () => {
  test("a missing secret is named with the command that sets it", () => {
    const problems = problemsOf(validate("rex", undefined, REQUIRED.filter((key) => key !== "telegramBotToken")));
    expect(problems).toEqual(["Pulumi.rex.yaml: cm-infra:telegramBotToken: secret is missing: pulumi config set --secret telegramBotToken --stack rex"]);
  });

  test("the dev vhost is refused while dev's debugger is on", () => {
    const problems = problemsOf(validate("dev", (v) => (v.debug = "true")));
    expect(problems).toEqual([
      "Pulumi.dev.yaml: cm-infra:publishThroughEdge: true while debug is true: the Werkzeug debugger behind a public URL is remote code execution; set debug: false or publishThroughEdge: false",
    ]);
    expect(problemsOf(validate("dev", (v) => ((v.debug = "true"), (v.publishThroughEdge = "false"))))).toEqual([]);
  });

  test("every problem is reported at once, one line each", () => {
    const problems = problemsOf(
      validate("rex", (v) => {
        v.webPort = "22";
        v.debug = "true";
        v.lanAddress = "nope";
      }),
    );
    expect(problems).toHaveLength(3);
  });

  test("a key far from every known one gets no guess", () => {
    expect(problemsOf(validate("rex", withObject("firewall", "zzz", true)))).toEqual([
      "Pulumi.rex.yaml: cm-infra:firewall.zzz: is not a setting of firewall (firewall takes adminSources, enableUfw)",
    ]);
  });

  test("the sandbox tier may run under another stack name (throwaway hosts); other tiers may not", () => {
    const asSandbox = validateConfig({ ...inputOf("rex"), stackName: "rehearsal", stackFile: "Pulumi.rehearsal.yaml", values: { ...stackValues("rex"), tier: "sandbox" } });
    expect(problemsOf(asSandbox)).toEqual([]);
    expect(problemsOf(validateConfig({ ...inputOf("rex"), stackName: "rehearsal", stackFile: "Pulumi.rehearsal.yaml" }))).toEqual([
      'Pulumi.rehearsal.yaml: cm-infra:tier: "rex" does not match the stack name "rehearsal": stack rehearsal would overwrite rex\'s site, firewall chain and htpasswd; set tier: rehearsal (or deploy rex from its own stack)',
    ]);
  });

  test("loopback lanAddress is refused only when the edge would proxy to it", () => {
    expect(problemsOf(validate("dev", (v) => ((v.lanAddress = "127.0.0.1"), (v.publishThroughEdge = "false"))))).toEqual([]);
    expect(problemsOf(validate("dev", (v) => (v.lanAddress = "127.0.0.1")))).toEqual([
      'Pulumi.dev.yaml: cm-infra:lanAddress: "127.0.0.1" is loopback: the edge on the aaPanel host would proxy to itself; use the Flask host\'s LAN address (or publishThroughEdge: false)',
    ]);
  });

  test.each(["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519"] as const)("a real %s host key is accepted", (type) => {
    expect(problemsOf(validate("rex", withObject("flaskHost", "hostKey", publicHostKey(type))))).toEqual([]);
  });

  test("a pinned database image (tag or digest) is accepted on production tiers", () => {
    for (const image of ["mysql:8.0.36", `mysql@sha256:${"b".repeat(64)}`, `mysql:latest@sha256:${"b".repeat(64)}`, "registry.example.com:5000/db/mysql:8.0"]) {
      expect(problemsOf(validate("siong", withObject("app", "databaseImage", image))), image).toEqual([]);
    }
  });

  test("on one machine for both hosts, the edge's port must not be the app's", () => {
    const oneHost = (v: Record<string, unknown>) => withObject("aapanelHost", "address", "192.0.2.10")(v);
    expect(problemsOf(validate("rex", oneHost))).toEqual([]);
    expect(problemsOf(validate("rex", (v) => (oneHost(v), withObject("edge", "listenPort", 8001)(v))))).toEqual([
      "Pulumi.rex.yaml: cm-infra:edge.listenPort: 8001 is webPort, on the same host (flaskHost.address is aapanelHost.address): nginx could not bind it; use 443 (TLS) or 80",
    ]);
  });

  test("a bad host value from the sandbox state file says where it came from", () => {
    const dir = mkdtempSync(join(tmpdir(), "cm-config-"));
    try {
      const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/sandbox/sandbox.json"), "utf8")) as { hosts: { flaskhost: { hostKey: string } } };
      fixture.hosts.flaskhost.hostKey = publicHostKey("ssh-rsa");
      writeFileSync(join(dir, "sandbox.json"), JSON.stringify(fixture));
      const result = resolveStackValues({ ...inputOf("sandbox", []), values: { ...stackValues("sandbox"), sandboxState: join(dir, "sandbox.json") } });
      expect(problemsOf(result)).toEqual([expect.stringMatching(/^Pulumi\.sandbox\.yaml: cm-infra:flaskHost\.hostKey: ssh-rsa pins are refused: .* \(the value comes from sandboxState ".*sandbox\.json": run npm run sandbox:up again\)$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("dockerHost may log in as another user than flaskHost.sshUser, on flaskHost's address and sshd port", () => {
    expect(problemsOf(validate("rex", (v) => (v.dockerHost = "ssh://deploy@192.0.2.10:22")))).toEqual([]);
    expect(problemsOf(validate("rex", (v) => (v.dockerHost = "ssh://deploy@192.0.2.10")))).toEqual([]);
    expect(problemsOf(validate("rex", (v) => (withObject("flaskHost", "sshPort", 2222)(v), (v.dockerHost = "ssh://root@192.0.2.10:2222"))))).toEqual([]);
    // A bad flaskHost is named under its own key, not blamed on dockerHost as well.
    expect(problemsOf(validate("rex", (v) => (withObject("flaskHost", "address", "2001:db8::10")(v), (v.dockerHost = "ssh://root@192.0.2.10:22"))))).toEqual([
      expect.stringMatching(/^Pulumi\.rex\.yaml: cm-infra:flaskHost\.address: "2001:db8::10" is IPv6/),
    ]);
  });

  test("a port clash names both ports' keys, under the one that has to move", () => {
    expect(problemsOf(validate("rex", withObject("flaskHost", "sshPort", 3000)))).toEqual([
      "Pulumi.rex.yaml: cm-infra:flaskHost.sshPort: 3000 is the API server's port, which the firewall closes on the Flask host: SSH would be locked out; sshd must listen elsewhere",
    ]);
    expect(problemsOf(validate("rex", withObject("aapanelHost", "sshPort", 2222)))).toEqual([]);
    expect(problemsOf(validate("rex", (v) => (withObject("aapanelHost", "sshPort", 2222)(v), withObject("edge", "listenPort", 2222)(v))))[0]).toMatch(
      /^Pulumi\.rex\.yaml: cm-infra:edge\.listenPort: 2222 is aapanelHost\.sshPort/,
    );
  });
});

describe("the program refuses bad config before declaring anything", () => {
  test("a missing secret and a bad port fail the run with both messages and no resources", async () => {
    const failure = runProgram("siong", { omitSecrets: ["dbPassword"], overrides: { webPort: "3000" } });
    await expect(failure).rejects.toThrow(/cm-infra:webPort: 3000 is the API server's port[\s\S]*cm-infra:dbPassword: secret is missing/);
  });

  test("a secret stored in plaintext is refused without echoing its value", async () => {
    const failure = runProgram("rex", { plaintextSecrets: ["agentPassword"] });
    await expect(failure).rejects.toThrow("Pulumi.rex.yaml: cm-infra:agentPassword: is stored in plaintext; set it with pulumi config set --secret agentPassword");
    await expect(runProgram("rex", { plaintextSecrets: ["agentPassword"] })).rejects.not.toThrow(fakeSecret("agentPassword"));
  });

  test("a misspelt key is reported", async () => {
    await expect(runProgram("dev", { overrides: { webport: "8000" } })).rejects.toThrow("Pulumi.dev.yaml: cm-infra:webport: is not a cm-infra setting");
  });
});

describe("private registry credentials", () => {
  const auth = { address: "registry.example.com", username: "deployer" };
  const withAuth = (registryAuth: unknown) => withObject("images", "registryAuth", registryAuth);

  test("registryAuth on the prefix's registry, with the secret, is accepted and carried", () => {
    const result = validate("rex", withAuth(auth), [...REQUIRED, "registryPassword"]);
    expect(problemsOf(result)).toEqual([]);
    expect(result.ok && result.config.images).toEqual({ kind: "registry", prefix: "registry.example.com/cm", tag: "2026.11.1", auth });
  });

  test.each([
    ["without the secret", withAuth(auth), REQUIRED, "Pulumi.rex.yaml: cm-infra:registryPassword: secret is missing (images.registryAuth is set): pulumi config set --secret registryPassword --stack rex"],
    ["the secret without registryAuth", () => undefined, [...REQUIRED, "registryPassword"], "Pulumi.rex.yaml: cm-infra:registryPassword: is set but images.registryAuth is not"],
    ["another registry than the prefix's", withAuth({ ...auth, address: "other.example.com" }), [...REQUIRED, "registryPassword"], 'Pulumi.rex.yaml: cm-infra:images.registryAuth.address: "other.example.com" is not the registry images.prefix pulls from ("registry.example.com")'],
    ["a username that is not a token", withAuth({ ...auth, username: "de ployer" }), [...REQUIRED, "registryPassword"], 'Pulumi.rex.yaml: cm-infra:images.registryAuth.username: "de ployer" may hold only'],
    ["an address with a scheme", withAuth({ ...auth, address: "https://registry.example.com" }), [...REQUIRED, "registryPassword"], 'Pulumi.rex.yaml: cm-infra:images.registryAuth.address: "https://registry.example.com" is not a registry host[:port]'],
    ["a password inside registryAuth", withAuth({ ...auth, password: "x" }), [...REQUIRED, "registryPassword"], "Pulumi.rex.yaml: cm-infra:images.registryAuth.password: must not be in the stack file"],
  ])("refused: %s", (_name, change, present, message) => {
    const problems = problemsOf(validate("rex", change, present));
    expect(problems.some((problem) => problem.startsWith(message)), problems.join("\n")).toBe(true);
  });

  test("the database image on the same host but another port would get no credentials", () => {
    const problems = problemsOf(
      validate("rex", (v) => {
        withAuth(auth)(v);
        v.app = { ...(v.app as object), databaseImage: "registry.example.com:5000/mysql:8.0" };
      }, [...REQUIRED, "registryPassword"]),
    );
    expect(problems).toEqual([
      'Pulumi.rex.yaml: cm-infra:app.databaseImage: "registry.example.com:5000/mysql:8.0" is on "registry.example.com:5000", not on images.registryAuth.address "registry.example.com": the credentials are sent only to "registry.example.com"',
    ]);
  });
});

describe("loadConfig reads the registry password as a secret", () => {
  test("present exactly when registryAuth is set", async () => {
    const registryAuth = JSON.stringify({ prefix: "registry.example.com/cm", tag: "2026.11.1", registryAuth: { address: "registry.example.com", username: "deployer" } });
    const withPassword = await loadWith("rex", { images: registryAuth }, { registryPassword: "FAKE-REGISTRY-PASSWORD" });
    expect(withPassword.registryPassword).toBeDefined();
    expect(await isSecretOutput(withPassword.registryPassword)).toBe(true);
    expect(await resolve(withPassword.registryPassword!)).toBe("FAKE-REGISTRY-PASSWORD");
    expect((await loadWith("rex", {}, {})).registryPassword).toBeUndefined();
  });
});

/** loadConfig under the mocks, with the stack file's values, fake secrets and extra secrets. */
async function loadWith(stack: string, overrides: Record<string, string>, extraSecrets: Record<string, string>): Promise<CmConfig> {
  await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }, PROJECT, stack, false);
  const config = stackConfig(stack);
  for (const [key, value] of Object.entries(overrides)) config[`${PROJECT}:${key}`] = value;
  const secrets = { ...Object.fromEntries(SECRET_KEYS.map((key) => [key, fakeSecret(key)])), ...extraSecrets };
  for (const [key, value] of Object.entries(secrets)) config[`${PROJECT}:${key}`] = value;
  pulumi.runtime.setAllConfig(config, Object.keys(secrets).map((key) => `${PROJECT}:${key}`));
  return loadConfig();
}

async function isSecretOutput(output: pulumi.Output<string> | undefined): Promise<boolean> {
  return output !== undefined && (await pulumi.isSecret(output));
}
