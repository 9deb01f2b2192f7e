import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { resolveStackFile } from "../../config/stackFile";
import type { PlainConfig } from "../../config/validate";
import { renderDockerUserFragment } from "../../render/firewall/dockerUser";
import { firewallSpecOf } from "../../render/firewall/spec";
import { renderUfwRules, ufwOwnerComment } from "../../render/firewall/ufwRules";
import { edgeSiteOf } from "../../render/nginx/site";

/**
 * Per tier, what the program installs as text: the nginx site file and the firewall's
 * rules (the iptables fragment and the ufw rules), checked in under test/golden/<tier>/ so
 * a change to any of them shows in review exactly as it will land on the hosts.
 * Regenerate after an intended change: npx vitest run test/golden -u
 */
const ROOT = join(__dirname, "..", "..");
const SANDBOX_FIXTURE = join(ROOT, "test/fixtures/sandbox/sandbox.json");

// The sandbox stack reads its hosts from the state file sandbox:up writes; the golden files
// use the committed fixture instead, in a copy of the project folder that points there.
const sandboxRoot = mkdtempSync(join(tmpdir(), "cm-golden-"));
writeFileSync(
  join(sandboxRoot, "Pulumi.sandbox.yaml"),
  readFileSync(join(ROOT, "Pulumi.sandbox.yaml"), "utf8").replace(/^(\s*cm-infra:sandboxState:).*$/m, `$1 ${SANDBOX_FIXTURE}`),
);
afterAll(() => rmSync(sandboxRoot, { recursive: true, force: true }));

function committedConfig(stack: string): PlainConfig {
  const resolved = resolveStackFile(stack, stack === "sandbox" ? sandboxRoot : ROOT);
  if (!resolved.ok) throw new Error(`Pulumi.${stack}.yaml does not validate:\n${resolved.problems.join("\n")}`);
  return resolved.config;
}

describe.each(["rex", "siong", "dev", "sandbox"])("the %s stack file renders", (stack) => {
  const config = committedConfig(stack);
  const golden = (name: string) => join(__dirname, stack, name);

  test("the nginx site file (the zone, then the server block)", async () => {
    for (const file of edgeSiteOf(config).files) {
      await expect(file.content).toMatchFileSnapshot(golden(`nginx/${basename(file.path)}`));
    }
  });

  test("the firewall: the DOCKER-USER fragment and the tagged ufw rules", async () => {
    const spec = firewallSpecOf(config);
    await expect(`${renderDockerUserFragment(spec)}\n`).toMatchFileSnapshot(golden(`firewall/${config.tier}.rules`));
    const rules = renderUfwRules(spec);
    // As `ufw show added` lists them, which is how the scripts recognise their own.
    const shown = [...rules.ssh, ...rules.ports].map((rule) => `ufw ${rule} comment '${ufwOwnerComment(config.tier)}'\n`).join("");
    await expect(shown).toMatchFileSnapshot(golden("firewall/ufw-added"));
  });
});
