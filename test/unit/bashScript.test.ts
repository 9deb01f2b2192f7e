import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bashScript, bashValues } from "../../render/bashScript";

/** Runs the rendered lines in bash and prints each named value back, NUL-separated. */
function readBack(lines: readonly string[], names: readonly string[]): string[] {
  const script = [...lines, ...names.map((name) => `printf '%s\\0' "\${${name}[@]}"`)].join("\n");
  const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return result.stdout.split("\0").slice(0, -1);
}

describe("rendered bash values", () => {
  const tricky = ["$(touch /tmp/cm-infra-never)", "it's", 'say "hi"', "a\nb", "*", "~root", "`id`", "back\\slash", ""];

  it("reach bash exactly as given, whatever they hold", () => {
    const values = Object.fromEntries(tricky.map((value, index) => [`V${index}`, value]));
    expect(readBack(bashValues(values), Object.keys(values))).toEqual(tricky);
    expect(readBack(bashValues({ LIST: tricky }), ["LIST"])).toEqual(tricky);
  });

  it("are readonly, upper case, and plain values stay readable in a preview diff", () => {
    expect(bashValues({ SSH_PORT: 22, STATE_DIR: "/var/lib/cm-infra/firewall", RULES: ["allow 80/tcp"] })).toEqual([
      'readonly SSH_PORT="22"',
      'readonly STATE_DIR="/var/lib/cm-infra/firewall"',
      'readonly RULES=("allow 80/tcp")',
    ]);
    const result = spawnSync("bash", ["-c", `${bashValues({ TIER: "rex" }).join("\n")}\nTIER=siong`], { encoding: "utf8" });
    expect(result.stderr).toContain("TIER: readonly variable");
  });

  it("refuse a lower-case name (kept for locals) and a number that is not an integer", () => {
    expect(() => bashValues({ tier: "rex" })).toThrow(/upper-case name/);
    expect(() => bashValues({ WAIT: 1.5 })).toThrow(/not an integer/);
  });
});

describe("a rendered script", () => {
  const script = bashScript({
    family: { lockWaitSeconds: 1, environment: ["umask 022"], failedSummary: "result=failed" },
    title: "test script",
    label: "cm-infra test rex",
    lockFile: "/nonexistent-dir/lock",
    values: { GREETING: "hello" },
    parts: ['say "$GREETING"; OUTCOME=""; die "stop"'],
  });

  it("speaks with its label, says on error whether anything changed, and ends a failure with its summary", () => {
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("cm-infra test rex: hello\ncm-infra test rex: result=failed\n");
    expect(result.stderr).toBe("cm-infra test rex: error: stop\n");
    const untouched = spawnSync("bash", ["-c", script.replace('OUTCOME=""; ', "")], { encoding: "utf8" });
    expect(untouched.stderr).toBe("cm-infra test rex: error: stop; nothing was changed\n");
  });

  it("starts with its title and values, strict mode before any code", () => {
    expect(script.startsWith('# test script\nreadonly LABEL="cm-infra test rex"\n')).toBe(true);
    expect(script.indexOf("\nset -euo pipefail\n")).toBeLessThan(script.indexOf("() {"));
  });
});

describe("the host lock", () => {
  it("waits the family's time for a lock another run holds, then gives up with the one message form", () => {
    const folder = mkdtempSync(join(tmpdir(), "cm-lock-"));
    try {
      const lockFile = join(folder, "sub", "x.lock");
      const script = bashScript({
        family: { lockWaitSeconds: 1, environment: [], failedSummary: "" },
        title: "lock test",
        label: "cm-infra test rex",
        lockFile,
        values: {},
        parts: ['lock_host; say "got it"'],
      });
      expect(spawnSync("bash", ["-c", script], { encoding: "utf8" }).stdout).toBe("cm-infra test rex: got it\n");
      // another holder keeps the lock for 3 s
      const held = spawnSync("bash", ["-c", `flock "$1" sleep 3 & sleep 0.3; bash -c "$2"`, "-", lockFile, script], { encoding: "utf8" });
      expect(held.status).toBe(1);
      expect(held.stderr).toBe(`cm-infra test rex: error: gave up after 1s waiting for the lock ${lockFile} (another cm-infra run holds it); nothing was changed\n`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
