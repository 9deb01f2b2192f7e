import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type StackSettings, readSiblingStacks, siblingClashProblems } from "../../config/siblings";
import { resolveStackFile } from "../../config/stackFile";
import type { PlainConfig } from "../../config/validate";
import { ROOT } from "../support/program";

// Two tiers on one host: the check over parsed stack settings, and how the program finds
// the sibling stack files in a project folder. The program-level cases (a preview of one
// committed stack refused for a clash with another) are in configMalformed.test.ts.

function committed(stack: string): StackSettings {
  const resolved = resolveStackFile(stack);
  if (!resolved.ok) throw new Error(resolved.problems.join("\n"));
  return { stackFile: `Pulumi.${stack}.yaml`, config: resolved.config };
}

type Change = (config: PlainConfig) => PlainConfig;
const changed = (stack: string, change: Change): StackSettings => {
  const base = committed(stack);
  return { ...base, config: change(base.config) };
};
const onFlask = (address: string, webPort?: number): Change => (c) => ({ ...c, flaskHost: { ...c.flaskHost, address }, lanAddress: address, webPort: webPort ?? c.webPort });
const onPanel = (address: string): Change => (c) => ({ ...c, aapanelHost: { ...c.aapanelHost, address } });
const withDomain = (domain: string): Change => (c) => ({ ...c, domain });
const withListenPort = (listenPort: number): Change => (c) => ({ ...c, edge: { ...c.edge, listenPort } });
const unpublished: Change = (c) => ({ ...c, publishThroughEdge: false });
const both = (...changes: Change[]): Change => (c) => changes.reduce((config, change) => change(config), c);

interface Case {
  readonly name: string;
  readonly own: StackSettings;
  readonly sibling: StackSettings;
  /** Lines expected, each matched in full ([] = accepted). */
  readonly lines: readonly (string | RegExp)[];
}

const CASES: readonly Case[] = [
  {
    name: "same Flask host, same webPort",
    own: changed("rex", onFlask("192.0.2.20", 8005)),
    sibling: committed("siong"),
    lines: [
      "Pulumi.rex.yaml: cm-infra:webPort: 8005 is also Pulumi.siong.yaml's webPort, on the same Flask host 192.0.2.20: one tier's web-view would be published over the other's (and their firewall chains filter one port); give each tier on 192.0.2.20 its own webPort",
    ],
  },
  { name: "same Flask host, its own webPort", own: changed("rex", onFlask("192.0.2.20")), sibling: committed("siong"), lines: [] },
  { name: "same webPort on another Flask host", own: changed("rex", (c) => ({ ...c, webPort: 8005 })), sibling: committed("siong"), lines: [] },
  {
    name: "same aaPanel host, same domain",
    own: changed("rex", withDomain("siong.example.com")),
    sibling: committed("siong"),
    lines: [
      'Pulumi.rex.yaml: cm-infra:domain: "siong.example.com" is also Pulumi.siong.yaml\'s domain, on the same aaPanel host 192.0.2.5: two server blocks for one name, nginx warns "conflicting server name" and serves only the first; give each tier its own domain',
    ],
  },
  { name: "the same domain in other letters (nginx ignores case)", own: changed("siong", withDomain("Rex.Example.COM")), sibling: committed("rex"), lines: [/^Pulumi\.siong\.yaml: cm-infra:domain: "Rex\.Example\.COM" is also Pulumi\.rex\.yaml's domain/] },
  { name: "same domain, but the sibling publishes no site", own: changed("rex", withDomain("heng.example.com")), sibling: changed("dev", unpublished), lines: [] },
  { name: "same domain, but this stack publishes no site", own: changed("dev", both(withDomain("rex.example.com"), unpublished)), sibling: committed("rex"), lines: [] },
  { name: "same domain on another aaPanel host", own: changed("rex", both(withDomain("siong.example.com"), onPanel("192.0.2.6"))), sibling: committed("siong"), lines: [] },
  {
    name: "webPort on the sibling's edge listen port (this Flask host is its aaPanel host)",
    own: changed("rex", both(onFlask("192.0.2.5", 443), onPanel("192.0.2.6"))),
    sibling: committed("siong"),
    lines: [/^Pulumi\.rex\.yaml: cm-infra:webPort: 443 is Pulumi\.siong\.yaml's edge\.listenPort on the same host 192\.0\.2\.5 .*web-view and nginx cannot both bind it/],
  },
  { name: "webPort on an edge port of a sibling that publishes nothing", own: changed("rex", both(onFlask("192.0.2.5", 443), onPanel("192.0.2.6"))), sibling: changed("siong", unpublished), lines: [] },
  {
    name: "edge.listenPort on the sibling's webPort (this aaPanel host is its Flask host)",
    own: changed("rex", both(onPanel("192.0.2.20"), withListenPort(8005))),
    sibling: committed("siong"),
    lines: [/^Pulumi\.rex\.yaml: cm-infra:edge\.listenPort: 8005 is Pulumi\.siong\.yaml's webPort on the same host 192\.0\.2\.20 .*nginx and web-view cannot both bind it/],
  },
  {
    name: "two sandbox stacks on one host",
    own: { stackFile: "Pulumi.sbx2.yaml", config: { ...committed("rex").config, tier: "sandbox", webPort: 8002, domain: "sbx2.sandbox.test" } },
    sibling: { stackFile: "Pulumi.sandbox.yaml", config: { ...committed("rex").config, tier: "sandbox" } },
    lines: [/^Pulumi\.sbx2\.yaml: cm-infra:tier: "sandbox" is also Pulumi\.sandbox\.yaml's tier, on the same Flask host 192\.0\.2\.10: both stacks would write the same containers/],
  },
];

describe("two tiers on one host", () => {
  test.each(CASES.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
    const lines = siblingClashProblems(entry.own, "cm-infra", [entry.sibling]);
    expect(lines).toHaveLength(entry.lines.length);
    entry.lines.forEach((line, index) => (typeof line === "string" ? expect(lines[index]).toBe(line) : expect(lines[index]).toMatch(line)));
  });

  test("the committed stacks share the aaPanel host without a clash", () => {
    const stacks = ["rex", "siong", "dev"].map(committed);
    for (const own of stacks) expect(siblingClashProblems(own, "cm-infra", stacks.filter((other) => other !== own))).toEqual([]);
  });

  test("every clash with every sibling is reported at once", () => {
    const own = changed("dev", both(onFlask("192.0.2.20", 8005), withDomain("rex.example.com")));
    const lines = siblingClashProblems(own, "cm-infra", [committed("rex"), committed("siong")]);
    expect(lines.map((line) => line.split(": ", 3).slice(0, 2).join(": "))).toEqual(["Pulumi.dev.yaml: cm-infra:domain", "Pulumi.dev.yaml: cm-infra:webPort"]);
    expect(lines[0]).toContain("Pulumi.rex.yaml's domain");
    expect(lines[1]).toContain("Pulumi.siong.yaml's webPort");
  });
});

describe("the sibling stack files of a project folder", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cm-siblings-"));
    for (const file of ["Pulumi.yaml", "Pulumi.rex.yaml", "Pulumi.siong.yaml"]) copyFileSync(join(ROOT, file), join(dir, file));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const siblingFiles = (stack: string) => readSiblingStacks(stack, dir).map((sibling) => sibling.stackFile);

  test("are the other Pulumi.<stack>.yaml files, read without secrets; the stack's own and the project file are not", () => {
    write("Pulumi.siong.yaml", `${readFileSync(join(ROOT, "Pulumi.siong.yaml"), "utf8")}  cm-infra:dbPassword:\n    secure: AAABAKx1\n`);
    expect(siblingFiles("rex")).toEqual(["Pulumi.siong.yaml"]);
    expect(siblingFiles("siong")).toEqual(["Pulumi.rex.yaml"]);
    const [siong] = readSiblingStacks("rex", dir);
    expect(siong?.config.flaskHost.address).toBe("192.0.2.20");
  });

  test("a sibling that does not resolve is skipped: invalid, not YAML, or a sandbox without its state file", () => {
    write("Pulumi.dev.yaml", readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8").replace('cm-infra:webPort: "8000"', 'cm-infra:webPort: "80a"'));
    write("Pulumi.broken.yaml", "config: [unclosed\n");
    copyFileSync(join(ROOT, "Pulumi.sandbox.yaml"), join(dir, "Pulumi.sandbox.yaml"));
    expect(siblingFiles("rex")).toEqual(["Pulumi.siong.yaml"]);
  });

  test("a sandbox sibling's relative sandboxState is read inside that project folder", () => {
    mkdirSync(join(dir, "state"));
    copyFileSync(join(ROOT, "test/fixtures/sandbox/sandbox.json"), join(dir, "state/sandbox.json"));
    const sandboxFile = (stack: string) => readFileSync(join(ROOT, "Pulumi.sandbox.yaml"), "utf8").replace(/cm-infra:sandboxState: .*/, "cm-infra:sandboxState: state/sandbox.json").replace("cm.sandbox.test", `${stack}.sandbox.test`);
    write("Pulumi.sandbox.yaml", sandboxFile("sandbox"));
    write("Pulumi.sbx2.yaml", sandboxFile("sbx2"));
    expect(siblingFiles("sbx2")).toEqual(["Pulumi.rex.yaml", "Pulumi.sandbox.yaml", "Pulumi.siong.yaml"]);
    const own = resolveStackFile("sbx2", dir);
    if (!own.ok) throw new Error(own.problems.join("\n"));
    const lines = siblingClashProblems({ stackFile: "Pulumi.sbx2.yaml", config: own.config }, "cm-infra", readSiblingStacks("sbx2", dir));
    expect(lines).toEqual([
      expect.stringMatching(/^Pulumi\.sbx2\.yaml: cm-infra:webPort: 8001 is also Pulumi\.sandbox\.yaml's webPort, on the same Flask host 198\.51\.100\.3/),
      expect.stringMatching(/^Pulumi\.sbx2\.yaml: cm-infra:tier: "sandbox" is also Pulumi\.sandbox\.yaml's tier, on the same Flask host 198\.51\.100\.3/),
    ]);
  });
});
