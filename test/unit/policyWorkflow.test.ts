import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/program";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

function previewSteps(): Step[] {
  const workflow = parse(readFileSync(join(ROOT, ".github", "workflows", "preview.yml"), "utf8")) as { jobs: { preview: { steps: Step[] } } };
  return workflow.jobs.preview.steps;
}

test("the PR preview runs the policy pack, after npm ci installed its dependencies", () => {
  const steps = previewSteps();
  const preview = steps.findIndex((step) => step.uses?.startsWith("pulumi/actions@") === true && step.with?.command === "preview");
  expect(preview).toBeGreaterThanOrEqual(0);
  // pulumi/actions v6 splits the input on newlines and commas and passes each as --policy-pack.
  const packs = String(steps[preview]?.with?.policyPacks ?? "").split(/[\n,]/).map((pack) => pack.trim()).filter((pack) => pack !== "");
  expect(packs).toEqual(["policy"]);
  const install = steps.findIndex((step) => step.run?.trim() === "npm ci");
  expect(install).toBeGreaterThanOrEqual(0);
  expect(install).toBeLessThan(preview);
});

test("the pack folder is laid out as `pulumi preview --policy-pack` loads a Node.js pack", () => {
  const dir = join(ROOT, "policy");
  // PulumiPolicy.yaml names the runtime (pulumi workspace.LoadPolicyPack requires it).
  expect(parse(readFileSync(join(dir, "PulumiPolicy.yaml"), "utf8"))).toMatchObject({ runtime: "nodejs" });
  // @pulumi/policy's PolicyPack reads the version from package.json in the working directory.
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string; main?: string };
  expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(existsSync(join(dir, manifest.main ?? "index.js"))).toBe(true);
});
