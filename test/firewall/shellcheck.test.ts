import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderFirewallScripts } from "../../render/firewall/scripts";
import { devSpec, rexSpec, scriptInside } from "./fixtures";

describe("firewall scripts pass shellcheck (apt: shellcheck)", () => {
  const specs = { rex: rexSpec(), dev: devSpec({ adminSources: ["any", "192.168.1.0/24"], enableUfw: false }) };
  for (const [name, spec] of Object.entries(specs)) {
    const scripts = renderFirewallScripts(spec);
    for (const kind of ["create", "delete"] as const) {
      it(`${name} ${kind}`, () => {
        const result = spawnSync("shellcheck", ["-s", "bash", "-"], {
          input: scriptInside(scripts[kind]),
          encoding: "utf8",
        });
        expect(result.error, "shellcheck is not installed (apt-get install shellcheck)").toBeUndefined();
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
      });
    }
  }
});

describe("every remote script part kept as a .sh file passes shellcheck on its own", () => {
  const root = join(__dirname, "../../render");
  const parts = (readdirSync(root, { recursive: true }) as string[]).filter((path) => path.endsWith(".sh")).sort();
  it("finds the parts", () => expect(parts.length).toBeGreaterThan(0));
  for (const part of parts) {
    it(part, () => {
      const result = spawnSync("shellcheck", ["-s", "bash", join(root, part)], { encoding: "utf8" });
      expect(result.error, "shellcheck is not installed (apt-get install shellcheck)").toBeUndefined();
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    });
  }
});
