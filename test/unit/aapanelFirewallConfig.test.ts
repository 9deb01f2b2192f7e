import { describe, expect, test } from "vitest";
import { resolveStackValues } from "../../config/sandbox";
import { type StackSettings, siblingClashProblems } from "../../config/siblings";
import { resolveStackFile } from "../../config/stackFile";
import { type ValidationInput, validateConfig } from "../../config/validate";
import { aapanelFirewallSpecOf } from "../../render/aapanelFirewall/spec";
import { scriptInside } from "../firewall/fixtures";
import { ROOT, runProgram, stackConfig, unwrapSecret } from "../support/program";

// aapanelHost.firewall: read and refused like the Flask host's firewall section, turned
// into the aaPanel host's rules, and declared by the program only when present.
const REQUIRED = ["dbPassword", "dbRootPassword", "agentId", "agentPassword", "securityPin", "telegramBotToken", "sshPrivateKey"];
const COMMAND = "command:remote:Command";
const FIREWALL = { adminSources: ["203.0.113.0/24", "198.51.100.7"], panelPort: 7800, enableUfw: true };

function rexValues(): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(stackConfig("rex"))) {
    values[fullKey.split(":")[1] ?? fullKey] = text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text;
  }
  return values;
}

function rexWith(firewall: unknown, change: (values: Record<string, unknown>) => void = () => undefined) {
  const values = rexValues();
  values.aapanelHost = { ...(values.aapanelHost as object), firewall };
  change(values);
  const input: ValidationInput = {
    stackName: "rex",
    stackFile: "Pulumi.rex.yaml",
    namespace: "cm-infra",
    values,
    presentSecrets: new Set(REQUIRED),
    requiredSecrets: REQUIRED,
    secretsKnown: true,
  };
  return validateConfig(input);
}

const problems = (result: ReturnType<typeof rexWith>) => (result.ok ? [] : result.problems);
const LINE = "Pulumi.rex.yaml: cm-infra:aapanelHost.firewall";

describe("aapanelHost.firewall in the config", () => {
  test("absent: cm-infra manages no ufw on the aaPanel host (the committed stacks)", () => {
    for (const stack of ["rex", "siong", "dev"]) {
      const resolved = resolveStackFile(stack);
      expect(resolved.ok && resolved.config.aapanelFirewall, stack).toBeUndefined();
    }
  });

  test("present: read, with enableUfw false unless given, and turned into rules for 80, 443 and the listen port", () => {
    const result = rexWith({ adminSources: ["any"], panelPort: "8888" });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.config.aapanelFirewall).toEqual({ adminSources: ["any"], panelPort: 8888, enableUfw: false });
    expect(aapanelFirewallSpecOf(result.config)).toEqual({ tier: "rex", adminSources: ["any"], sshPort: 22, panelPort: 8888, webPorts: [80, 443], enableUfw: false });
    const unpublished = rexWith(FIREWALL, (values) => {
      values.publishThroughEdge = "false";
      values.edge = { ...(values.edge as object), listenPort: 8443 };
    });
    expect(unpublished.ok && aapanelFirewallSpecOf(unpublished.config)?.webPorts).toEqual([80, 443]);
    const ownPort = rexWith(FIREWALL, (values) => {
      values.edge = { ...(values.edge as object), listenPort: 8443 };
    });
    expect(ownPort.ok && aapanelFirewallSpecOf(ownPort.config)?.webPorts).toEqual([80, 443, 8443]);
  });

  test.each([
    ["no panelPort", { adminSources: ["any"] }, [`${LINE}.panelPort: is required`]],
    ["no adminSources", { panelPort: 7800 }, [`${LINE}.adminSources: is required: the IPv4 addresses or networks that may reach SSH and the panel (or ["any"])`]],
    ["an empty list", { adminSources: [], panelPort: 7800 }, [`${LINE}.adminSources: must be a non-empty list of IPv4 addresses/networks or "any" (an empty list would lock SSH out), got []`]],
    ["host bits set", { adminSources: ["10.0.0.5/24"], panelPort: 7800 }, [`${LINE}.adminSources[0]: "10.0.0.5/24" has host bits set: ufw would store it as "10.0.0.0/24"; write that`]],
    ["an IPv6 source", { adminSources: ["fd00::1"], panelPort: 7800 }, [`${LINE}.adminSources[0]: "fd00::1" is IPv6: the firewall writes IPv4 rules only; use IPv4 addresses and networks`]],
    ["a misspelt key", { adminSources: ["any"], panelPort: 7800, enableUFW: true }, [`${LINE}.enableUFW: is not a setting of aapanelHost.firewall; did you mean enableUfw? (aapanelHost.firewall takes adminSources, panelPort, enableUfw)`]],
    ["a port out of range", { adminSources: ["any"], panelPort: 70000 }, [`${LINE}.panelPort: 70000 is outside 1-65535`]],
    ["enableUfw not a boolean", { adminSources: ["any"], panelPort: 7800, enableUfw: "yes" }, [`${LINE}.enableUfw: must be true or false, got "yes"`]],
    ["not a mapping", "on", [`${LINE}: must be a mapping with adminSources, panelPort, enableUfw, got "on"`]],
    ["the panel on SSH's port", { adminSources: ["any"], panelPort: 22 }, [`${LINE}.panelPort: 22 is aapanelHost.sshPort, where sshd listens; give the panel's own port (aaPanel: Settings, Panel port; 7800 or 8888 are common)`]],
    ["the panel on 443", { adminSources: ["any"], panelPort: 443 }, [`${LINE}.panelPort: 443 is a web port nginx answers on for everyone (80, 443, edge.listenPort); give the panel's own port (7800 or 8888 are common)`]],
  ])("refuses %s, naming the key", (_name, firewall, lines) => {
    expect(problems(rexWith(firewall))).toEqual(lines);
  });

  test("refuses the panel on the tier's own listen port, and on the app's ports when both hosts are one machine", () => {
    const onListen = rexWith({ ...FIREWALL, panelPort: 8443 }, (values) => {
      values.edge = { ...(values.edge as object), listenPort: 8443 };
    });
    expect(problems(onListen)).toEqual([`${LINE}.panelPort: 8443 is a web port nginx answers on for everyone (80, 443, edge.listenPort); give the panel's own port (7800 or 8888 are common)`]);
    const oneHost = rexWith({ ...FIREWALL, panelPort: 8001 }, (values) => {
      values.aapanelHost = { ...(values.aapanelHost as object), address: (values.flaskHost as { address: string }).address };
    });
    expect(problems(oneHost)).toContain(`${LINE}.panelPort: 8001 is taken on this host, which is also the Flask host (webPort, the API port or flaskHost.sshPort); give the panel's own port`);
  });

  test("two tiers on one aaPanel host must name the same panel port", () => {
    const settings = (stack: string, panelPort: number): StackSettings => {
      const resolved = resolveStackFile(stack);
      if (!resolved.ok) throw new Error(resolved.problems.join("\n"));
      return { stackFile: `Pulumi.${stack}.yaml`, config: { ...resolved.config, aapanelFirewall: { ...FIREWALL, panelPort } } };
    };
    expect(siblingClashProblems(settings("rex", 7800), "cm-infra", [settings("siong", 8888)])).toEqual([
      "Pulumi.rex.yaml: cm-infra:aapanelHost.firewall.panelPort: 7800 differs from Pulumi.siong.yaml's aapanelHost.firewall.panelPort 8888, on the same aaPanel host 192.0.2.5: the host has one panel, and each tier's rules would open its port to its admin sources; give both the panel's real port",
    ]);
    expect(siblingClashProblems(settings("rex", 7800), "cm-infra", [settings("siong", 7800)])).toEqual([]);
  });
});

describe("the sandbox stack keeps its aaPanel host from the state file", () => {
  const sandboxInput = (aapanelHost: unknown): ValidationInput => ({
    stackName: "sandbox",
    stackFile: "Pulumi.sandbox.yaml",
    namespace: "cm-infra",
    values: { tier: "sandbox", sandboxState: "test/fixtures/sandbox/sandbox.json", domain: "cm.sandbox.test", images: { prefix: "cm", tag: "t" }, aapanelHost },
    presentSecrets: new Set(),
    requiredSecrets: [],
    secretsKnown: false,
  });

  test("aapanelHost with only firewall is the stack's own; the host comes from the state", () => {
    const resolved = resolveStackValues(sandboxInput({ firewall: FIREWALL }), ROOT);
    if (!resolved.ok) throw new Error(resolved.problems.join("\n"));
    expect(resolved.config.aapanelHost.address).toBe("198.51.100.2");
    expect(resolved.config.aapanelFirewall).toEqual(FIREWALL);
  });

  test("any other aapanelHost key is still refused, and a bad firewall value is the stack file's, not the state's", () => {
    const moved = resolveStackValues(sandboxInput({ address: "192.0.2.9", firewall: FIREWALL }), ROOT);
    expect(moved.ok ? [] : moved.problems).toContain(
      "Pulumi.sandbox.yaml: cm-infra:aapanelHost: is filled in from sandboxState on the sandbox tier: remove it from the stack file (only aapanelHost.firewall may stay)",
    );
    const bad = resolveStackValues(sandboxInput({ firewall: { ...FIREWALL, panelPort: 0 } }), ROOT);
    expect(bad.ok ? [] : bad.problems).toEqual(["Pulumi.sandbox.yaml: cm-infra:aapanelHost.firewall.panelPort: 0 is outside 1-65535"]);
  });
});

describe("the program", () => {
  test("the sandbox stack as committed manages ufw on its proxy host (the host from the state file)", async () => {
    const run = await runProgram("sandbox", { omitSecrets: REQUIRED, overrides: { sandboxState: "test/fixtures/sandbox/sandbox.json" } });
    const firewall = run.one(COMMAND, "sandbox-aapanel-firewall-rules");
    expect((unwrapSecret(firewall.inputs.connection) as { host: string }).host).toBe("198.51.100.2");
    expect(scriptInside(String(firewall.inputs.create))).toContain('readonly WANTED=("ssh allow 22/tcp" "panel allow 7800/tcp" "web allow 80/tcp" "web allow 443/tcp")');
  });

  test("declares no aaPanel firewall without the section", async () => {
    const run = await runProgram("rex");
    expect(run.byType(COMMAND).map((command) => command.name)).not.toContain("rex-aapanel-firewall-rules");
    expect(run.outputs.aapanelFirewallResult).toBeUndefined();
  });

  test("with the section: one command on the aaPanel host, carrying the tier's rules, beside the site", async () => {
    const aapanelHost = JSON.parse(stackConfig("rex")["cm-infra:aapanelHost"] ?? "{}") as object;
    const run = await runProgram("rex", { overrides: { aapanelHost: JSON.stringify({ ...aapanelHost, firewall: FIREWALL }) } });
    const firewall = run.one(COMMAND, "rex-aapanel-firewall-rules");
    expect((unwrapSecret(firewall.inputs.connection) as { host: string }).host).toBe("192.0.2.5");
    const script = String(firewall.inputs.create);
    for (const rule of [
      "ssh allow from 203.0.113.0/24 to any port 22 proto tcp",
      "panel allow from 198.51.100.7 to any port 7800 proto tcp",
      "web allow 443/tcp",
      "web allow 80/tcp",
    ]) {
      expect(script).toContain(rule);
    }
    expect(script).toContain('readonly ENABLE_UFW="yes"');
    expect(firewall.inputs.stdin).toBeUndefined();
    // The site waits for the app, not for the aaPanel firewall (which only opens the web
    // ports the site joins); the inert htpasswd file waits only for its password.
    const waitsOf = (name: string) => run.one(COMMAND, name).options?.dependencies ?? [];
    expect(waitsOf("rex-edge-site").filter((urn) => urn.includes("rex-aapanel-firewall")), JSON.stringify(waitsOf("rex-edge-site"))).toEqual([]);
    expect(firewall.options?.dependencies).toEqual([]);
    expect(waitsOf("rex-edge-site").filter((urn) => urn.includes("Container::rex-web")), JSON.stringify(waitsOf("rex-edge-site"))).not.toEqual([]);
    expect(waitsOf("rex-edge-site").filter((urn) => urn.endsWith("::rex-edge-htpasswd"))).toHaveLength(1);
    expect(waitsOf("rex-edge-htpasswd").map((urn) => urn.split("::").pop())).toEqual(["rex-edge-operator-password"]);
  });
});
