import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { CLI_DIR_VARIABLE, CliUnavailable, EXIT_CLI_UNAVAILABLE, VERSION_FILE, ensurePulumiCli, pinnedVersion } from "../../scripts/pulumiCli";
import { ROOT } from "../support/program";

const scratch = mkdtempSync(join(tmpdir(), "cm-demo-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("finding the Pulumi CLI", () => {
  const logged: string[] = [];
  const finder = (onPath: string | undefined, install: (root: string, version: string) => Promise<string>) => ({
    fromPath: async () => onPath,
    install: vi.fn(install),
    log: (line: string) => logged.push(line),
  });

  test("uses the CLI on PATH and installs nothing", async () => {
    const found = finder("pulumi", async () => "/never");
    expect(await ensurePulumiCli("/cli", "3.248.0", found)).toEqual({ command: "pulumi", origin: "path" });
    expect(found.install).not.toHaveBeenCalled();
  });

  test("otherwise installs the pinned version into its own folder under the install dir", async () => {
    const found = finder(undefined, async (root) => `${root}/bin/pulumi`);
    expect(await ensurePulumiCli("/work/x/.pulumi/cli", "3.248.0", found)).toEqual({ command: "/work/x/.pulumi/cli/3.248.0/bin/pulumi", origin: "project" });
    expect(found.install).toHaveBeenCalledWith("/work/x/.pulumi/cli/3.248.0", "3.248.0");
    expect(logged.at(-1)).toContain("installing 3.248.0 (pinned in .pulumi-version)");
  });

  test("a failed download says why and how to install by hand", async () => {
    const found = finder(undefined, async () => {
      throw new Error("Failed to download https://get.pulumi.com/install.sh: fetch failed");
    });
    const failure = ensurePulumiCli("/cli", "3.248.0", found);
    await expect(failure).rejects.toBeInstanceOf(CliUnavailable);
    await expect(failure).rejects.toThrow(/could not be installed into .*3\.248\.0: Failed to download https:\/\/get\.pulumi\.com\/install\.sh: fetch failed/);
    await expect(failure).rejects.toThrow("curl -fsSL https://get.pulumi.com | sh -s -- --version 3.248.0");
  });
});

describe("the version pin", () => {
  test("is a plain version, not older than the @pulumi/pulumi SDK the program runs on", () => {
    const pinned = pinnedVersion();
    const sdk = (JSON.parse(readFileSync(join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
    const parts = (version: string) => version.split(/[.-]/).slice(0, 3).map(Number);
    const [a, b] = [parts(pinned), parts(sdk)];
    const compare = (a[0] - b[0]) || (a[1] - b[1]) || (a[2] - b[2]);
    expect(compare, `${VERSION_FILE} ${pinned} vs @pulumi/pulumi ${sdk}`).toBeGreaterThanOrEqual(0);
  });

  test("is written in one place only: no script, npm script or workflow repeats it", () => {
    const pinned = pinnedVersion();
    const files = [
      ...readdirSync(join(ROOT, "scripts")).map((name) => join("scripts", name)),
      ...readdirSync(join(ROOT, ".github", "workflows")).map((name) => join(".github", "workflows", name)),
    ];
    const holding = files.filter((file) => readFileSync(join(ROOT, file), "utf8").includes(pinned));
    const npmScripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    holding.push(...Object.entries(npmScripts).filter(([, command]) => command.includes(pinned)).map(([name]) => `package.json scripts.${name}`));
    expect(holding).toEqual([]);
  });
});

/** PATH without any pulumi, with stand-ins for docker and npm first that log each call. */
function pathWithoutPulumi(stubs: string): string {
  const hasPulumi = (dir: string): boolean => {
    try {
      accessSync(join(dir, "pulumi"), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return [stubs, ...(process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !hasPulumi(dir))].join(delimiter);
}

describe("npm run demo without a Pulumi CLI and without a network", () => {
  const stubs = join(scratch, "bin");
  const calls = join(scratch, "calls.log");
  const cliDir = join(scratch, "cli");
  mkdirSync(stubs, { recursive: true });
  for (const tool of ["docker", "npm"]) {
    writeFileSync(join(stubs, tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n`);
    chmodSync(join(stubs, tool), 0o755);
  }

  function demo(...args: string[]) {
    return spawnSync("bash", [join(ROOT, "scripts", "demo.sh"), ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...process.env,
        PATH: pathWithoutPulumi(stubs),
        NODE_OPTIONS: `--require ${join(ROOT, "test", "support", "offlineFetch.cjs")}`,
        [CLI_DIR_VARIABLE]: cliDir,
      },
    });
  }

  test.each([[[]], [["--down"]]])("demo %j stops before Docker or the sandbox, says why, exits 3", (args: string[]) => {
    rmSync(calls, { force: true });
    const result = demo(...args);
    expect(result.status).toBe(EXIT_CLI_UNAVAILABLE);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`demo: the Pulumi CLI is not installed and ${pinnedVersion()} could not be installed into`);
    expect(result.stderr).toContain("Failed to download https://get.pulumi.com/install.sh: fetch failed");
    expect(result.stderr).toContain(`curl -fsSL https://get.pulumi.com | sh -s -- --version ${pinnedVersion()}`);
    expect(result.stderr).toContain("Nothing was started or removed.");
    expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").toBe("");
    expect(existsSync(join(cliDir, pinnedVersion(), "bin", "pulumi"))).toBe(false);
  }, 90_000);

  test("an unknown argument is a usage error", () => {
    const result = demo("--dwon");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npm run demo [-- --down]");
  });
});

test("demo.sh passes shellcheck (apt: shellcheck)", () => {
  const result = spawnSync("shellcheck", [join(ROOT, "scripts", "demo.sh")], { encoding: "utf8" });
  expect(result.error, "shellcheck is not installed (apt-get install shellcheck)").toBeUndefined();
  expect(result.stdout + result.stderr).toBe("");
  expect(result.status).toBe(0);
});
