// npm run drift -- --stack <name> [--no-engine]
// Compares what the program installs over SSH with what is on the hosts, one SSH session
// per host, and folds in the engine's own refresh check for the Docker side.
// Exit 0: clean. 1: drift. 2: could not check (bad config, unreachable host, engine error).
import { compareHost, renderTable } from "../drift/compare";
import { engineCheck } from "../drift/engineCheck";
import { expectedState } from "../drift/expected";
import { parseProbeOutput, renderProbeScript } from "../drift/probe";
import { keyFileFromContent, runOverSsh, type SshIdentity } from "../drift/sshProbe";
import type { DriftRow } from "../drift/types";
import { readStackFile } from "../config/stackFile";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function couldNotCheck(reason: string): never {
  console.error(`drift: could not check: ${reason}`);
  process.exit(2);
}

function main(): number {
  const stack = argument("--stack");
  if (!stack) couldNotCheck("usage: npm run drift -- --stack <name> [--no-engine]");
  let loaded: ReturnType<typeof readStackFile>;
  try {
    loaded = readStackFile(stack);
  } catch (error) {
    couldNotCheck(error instanceof Error ? error.message : String(error));
  }

  const keyContent = process.env.CM_INFRA_SSH_KEY;
  const temporaryKey = keyContent ? keyFileFromContent(keyContent) : undefined;
  const identity: SshIdentity = { keyFile: temporaryKey?.path ?? process.env.CM_INFRA_SSH_KEY_FILE ?? loaded.sandboxKeyPath };
  const rows: DriftRow[] = [];
  const failures: string[] = [];
  try {
    for (const host of expectedState(loaded.config)) {
      const probe = runOverSsh(host.host, identity, renderProbeScript(host.expectations));
      if (!probe.ok) {
        failures.push(probe.reason);
        continue;
      }
      rows.push(...compareHost(host, parseProbeOutput(probe.output)));
    }
  } finally {
    temporaryKey?.dispose();
  }

  if (rows.length > 0) console.log(renderTable(rows));
  const engine = process.argv.includes("--no-engine") ? { kind: "skipped" as const, reason: "--no-engine given" } : engineCheck(stack);
  switch (engine.kind) {
    case "clean":
      console.log("engine: pulumi preview --refresh --expect-no-changes: no changes");
      break;
    case "drift":
      console.log(`engine: pulumi preview found changes:\n${engine.detail}`);
      break;
    case "skipped":
      console.log(`engine: skipped: ${engine.reason}`);
      break;
    case "failed":
      failures.push(engine.reason);
      break;
  }

  const drifted = rows.filter((row) => row.status === "drift").length + (engine.kind === "drift" ? 1 : 0);
  for (const failure of failures) console.error(`drift: could not check: ${failure}`);
  if (drifted > 0) {
    console.log(`drift: ${drifted} artifact(s) drifted on stack ${stack}`);
    return 1;
  }
  if (failures.length > 0) return 2;
  console.log(`drift: stack ${stack} is clean (${rows.length} artifacts checked)`);
  return 0;
}

process.exitCode = main();
