// npm run test:e2e:engine: the sandbox scenario through the real Pulumi engine
// (Automation API), for machines that have the Pulumi CLI. Where the CLI is missing it
// says so and exits 2: a run that did not happen is never reported as a pass.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

const ROOT = join(__dirname, "..");
const STACK = "sandbox";

function fail(message: string): never {
  console.error(`test:e2e:engine: FAILED: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).status !== 0) {
    console.error("test:e2e:engine: SKIPPED, not run: the Pulumi CLI is not installed (https://www.pulumi.com/docs/install/).");
    process.exit(2);
  }
  execFileSync("npm", ["run", "--silent", "sandbox:up"], { cwd: ROOT, stdio: "inherit" });
  mkdirSync(join(ROOT, ".pulumi"), { recursive: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: STACK, workDir: ROOT },
    { envVars: { PULUMI_BACKEND_URL: `file://${join(ROOT, ".pulumi")}`, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" } },
  );
  try {
    const first = await stack.up({ onOutput: (line) => process.stdout.write(line) });
    if (first.summary.result !== "succeeded") fail(`first up: ${first.summary.result}`);

    const state = JSON.parse(readFileSync(join(ROOT, "sandbox/.state/cmsbx/sandbox.json"), "utf8")) as { hosts: { proxy: { address: string } } };
    const outputs = await stack.outputs();
    const credentials = `user = "${String(outputs.operatorUser?.value)}:${String(outputs.operatorPassword?.value)}"\n`;
    const curl = (config: string) =>
      spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-K", "-", "--resolve", `cm.sandbox.test:80:${state.hosts.proxy.address}`, "http://cm.sandbox.test/api/acc/"], { input: config, encoding: "utf8" }).stdout;
    if (curl("") !== "401") fail("no credentials did not get 401");
    if (curl(credentials) !== "200") fail("the operator's credentials did not get 200");

    const second = await stack.up();
    const changed = Object.entries(second.summary.resourceChanges ?? {}).filter(([kind, count]) => kind !== "same" && count > 0);
    if (changed.length > 0) fail(`second up changed resources: ${JSON.stringify(changed)}`);
    console.log("test:e2e:engine: first up converged, 401/200 at the edge, second up changed nothing");
  } finally {
    await stack.destroy({ onOutput: (line) => process.stdout.write(line) });
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
