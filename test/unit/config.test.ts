import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../config/load";
import type { CmConfig } from "../../config/types";
import { validateConfig } from "../../config/validate";
import { PROJECT, SECRET_KEYS, fakeSecret, resolve, runProgram, stackConfig } from "../support/program";

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

function validate(stack: string, change: (values: Record<string, unknown>) => void = () => undefined, present = REQUIRED) {
  const values = stackValues(stack);
  change(values);
  return validateConfig({
    stackName: stack,
    stackFile: `Pulumi.${stack}.yaml`,
    namespace: "cm-infra",
    values,
    presentSecrets: new Set(present),
    requiredSecrets: REQUIRED,
    secretsKnown: true,
  });
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

describe("bad input names the key, the value and the stack file", () => {
  test.each([
    ["malformed flask host IP", "rex", withObject("flaskHost", "address", "192.0.2.300"), 'Pulumi.rex.yaml: cm-infra:flaskHost.address: "192.0.2.300" is not a valid IP address'],
    ["malformed aaPanel IP", "siong", withObject("aapanelHost", "address", "panel.local"), 'Pulumi.siong.yaml: cm-infra:aapanelHost.address: "panel.local" is not a valid IP address'],
    ["malformed LAN address", "rex", (v: Record<string, unknown>) => (v.lanAddress = "10.0.0"), 'Pulumi.rex.yaml: cm-infra:lanAddress: "10.0.0" is not a valid IP address'],
    ["port above range", "rex", (v: Record<string, unknown>) => (v.webPort = "70000"), "Pulumi.rex.yaml: cm-infra:webPort: 70000 is outside 1-65535"],
    ["port zero", "dev", (v: Record<string, unknown>) => (v.webPort = "0"), "Pulumi.dev.yaml: cm-infra:webPort: 0 is outside 1-65535"],
    ["port not a number", "rex", (v: Record<string, unknown>) => (v.webPort = "80a"), 'Pulumi.rex.yaml: cm-infra:webPort: must be an integer, got "80a"'],
    ["web port on SSH", "siong", (v: Record<string, unknown>) => (v.webPort = "22"), "Pulumi.siong.yaml: cm-infra:webPort: 22 clashes with SSH (port 22)"],
    ["web port on the API port", "rex", (v: Record<string, unknown>) => (v.webPort = "3000"), "Pulumi.rex.yaml: cm-infra:webPort: 3000 clashes with the API server (port 3000)"],
    ["unknown tier", "rex", (v: Record<string, unknown>) => (v.tier = "staging"), 'Pulumi.rex.yaml: cm-infra:tier: "staging" is not a known tier (rex, siong, dev, sandbox)'],
    ["debug on rex", "rex", (v: Record<string, unknown>) => (v.debug = "true"), "Pulumi.rex.yaml: cm-infra:debug: true is forbidden on rex: the Werkzeug debugger is remote code execution"],
    ["debug on siong", "siong", (v: Record<string, unknown>) => (v.debug = true), "Pulumi.siong.yaml: cm-infra:debug: true is forbidden on siong: the Werkzeug debugger is remote code execution"],
    ["bad host key", "rex", withObject("flaskHost", "hostKey", "AAAA"), 'Pulumi.rex.yaml: cm-infra:flaskHost.hostKey: "AAAA" is not an SSH public host key'],
    ["unpinned image in production", "rex", withObject("images", "tag", "latest"), 'Pulumi.rex.yaml: cm-infra:images.tag: "latest" on rex makes deploys unrepeatable'],
    ["bad admin source", "rex", withObject("firewall", "adminSources", ["192.0.2.0/33"]), 'Pulumi.rex.yaml: cm-infra:firewall.adminSources[0]: "192.0.2.0/33" is not an IP address, CIDR or "any"'],
    ["an aaPanel address the firewall cannot use", "rex", withObject("aapanelHost", "address", "2001:db8::5"), 'Pulumi.rex.yaml: cm-infra:aapanelHost.address: allowed web source "2001:db8::5" must be an IPv4 address'],
    ["an admin network that is not canonical", "rex", withObject("firewall", "adminSources", ["192.0.2.5/24"]), 'Pulumi.rex.yaml: cm-infra:firewall.adminSources: admin source "192.0.2.5/24" must be'],
    ["backups inside the included vhost folder", "rex", withObject("edge", "layout", { stateDir: "/www/server/panel/vhost/nginx/backup" }), "cm-infra:edge.layout.stateDir: \"/www/server/panel/vhost/nginx/backup\" is inside vhostDir"],
  ])("%s", (_name, stack, change, message) => {
    const problems = problemsOf(validate(stack, change));
    expect(problems.some((problem) => problem.startsWith(message) || problem.includes(message)), problems.join("\n")).toBe(true);
  });

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
});

describe("the program refuses bad config before declaring anything", () => {
  test("a missing secret and a bad port fail the run with both messages and no resources", async () => {
    const failure = runProgram("siong", { omitSecrets: ["dbPassword"], overrides: { webPort: "3000" } });
    await expect(failure).rejects.toThrow(/cm-infra:webPort: 3000 clashes with the API server[\s\S]*cm-infra:dbPassword: secret is missing/);
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
    ["a password inside registryAuth", withAuth({ ...auth, password: "x" }), [...REQUIRED, "registryPassword"], "Pulumi.rex.yaml: cm-infra:images.registryAuth.password: is not a setting"],
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
