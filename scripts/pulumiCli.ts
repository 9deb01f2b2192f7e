// The Pulumi CLI for `npm run demo`: the one on PATH, else the version pinned in
// .pulumi-version installed into the project (.pulumi/cli/<version>) with the Automation
// API's PulumiCommand.install. Prints the command to run on stdout, everything else on
// stderr. Exit 3 when there is no CLI and the pinned one cannot be installed.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, relative } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import type { SemVer } from "semver";

export const ROOT = join(__dirname, "..");
/** The one place the CLI version is pinned (also readable by pulumi/actions' pulumi-version-file). */
export const VERSION_FILE = ".pulumi-version";
export const EXIT_CLI_UNAVAILABLE = 3;
/** Overrides the folder versions are installed under (default `.pulumi/cli`, git-ignored). */
export const CLI_DIR_VARIABLE = "CM_INFRA_PULUMI_CLI_DIR";

export class CliUnavailable extends Error {}

export function pinnedVersion(root: string = ROOT): string {
  const text = readFileSync(join(root, VERSION_FILE), "utf8").trim();
  if (!/^\d+\.\d+\.\d+$/.test(text)) throw new Error(`${VERSION_FILE}: "${text}" is not a version such as 1.2.3`);
  return text;
}

export interface CliFinder {
  /** The CLI already on PATH (any version the Automation API accepts), or undefined. */
  readonly fromPath: () => Promise<string | undefined>;
  /** Installs `version` under `root` (or finds it there) and returns its absolute path. */
  readonly install: (root: string, version: string) => Promise<string>;
  readonly log: (line: string) => void;
}

export interface FoundCli {
  readonly command: string;
  readonly origin: "path" | "project";
}

function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}...` : oneLine;
}

export async function ensurePulumiCli(installDir: string, version: string, finder: CliFinder): Promise<FoundCli> {
  const onPath = await finder.fromPath();
  if (onPath !== undefined) return { command: onPath, origin: "path" };
  const root = join(installDir, version);
  const shown = isAbsolute(root) ? relative(process.cwd(), root) || "." : root;
  finder.log(`the Pulumi CLI is not on PATH; installing ${version} (pinned in ${VERSION_FILE}) into ${shown}`);
  try {
    return { command: await finder.install(root, version), origin: "project" };
  } catch (error) {
    throw new CliUnavailable(
      [
        `the Pulumi CLI is not installed and ${version} could not be installed into ${shown}: ${shortReason(error)}`,
        `Install it (https://www.pulumi.com/docs/install/): curl -fsSL https://get.pulumi.com | sh -s -- --version ${version}`,
        "or put a pulumi on PATH, then run the command again.",
      ].join("\n"),
    );
  }
}

/** The semver copy the Automation API checks versions with (a foreign SemVer is rejected). */
function automationSemVer(version: string): SemVer {
  const requireFromSdk = createRequire(require.resolve("@pulumi/pulumi/automation"));
  const semver = requireFromSdk("semver") as typeof import("semver");
  return new semver.SemVer(version);
}

export const AUTOMATION_API_FINDER: Omit<CliFinder, "log"> = {
  fromPath: async () => {
    try {
      return (await PulumiCommand.get()).command;
    } catch {
      return undefined;
    }
  },
  install: async (root, version) => (await PulumiCommand.install({ root, version: automationSemVer(version) })).command,
};

async function main(): Promise<void> {
  const caller = process.argv[2] ?? "pulumi-cli";
  const log = (line: string): void => {
    for (const [index, part] of line.split("\n").entries()) process.stderr.write(`${index === 0 ? `${caller}: ` : " ".repeat(caller.length + 2)}${part}\n`);
  };
  const installDir = process.env[CLI_DIR_VARIABLE] || join(ROOT, ".pulumi", "cli");
  try {
    const found = await ensurePulumiCli(installDir, pinnedVersion(), { ...AUTOMATION_API_FINDER, log });
    if (found.origin === "project") log(`using ${found.command}`);
    process.stdout.write(`${found.command}\n`);
  } catch (error) {
    if (!(error instanceof CliUnavailable)) throw error;
    log(`${error.message}\nNothing was started or removed.`);
    process.exit(EXIT_CLI_UNAVAILABLE);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
