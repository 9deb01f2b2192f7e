import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as docker from "@pulumi/docker";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SandboxApplier, changeCount } from "./applier";
import { type ContainerInspect, goDurationOfNanos, readContainer, refreshedContainerInputs } from "./applier/container";
import { fakeBcrypt, fakeDocker, fakeSsh } from "./applier/fakes";
import { CONTAINER_INPUTS, SEMANTICS_BY_TYPE, planChange } from "./applier/providerSemantics";
import { keyOfUrn } from "./applier/sandboxApplier";
import { PROJECT, SECRET_KEYS, runProgram, stackConfig } from "../support/program";
import { REX_IMAGE_DIGESTS, applyRex } from "./support/rexThroughApplier";

// Run with: npx vitest run -c test/e2e/applier/vitest.config.mts test/e2e/providerFidelity.test.ts
// Each block pins one way the real providers differ from what a naive stand-in would do;
// the program-level tests fail on the program as it was before issue 13.

const CONTAINER = "docker:index/container:Container";
const PROVIDER = "pulumi:providers:docker";
/** Types the applier refuses to apply (dev's image builds) and so has no semantics for. */
const NOT_APPLIED = new Set(["docker:index/image:Image"]);
const STACKS = ["rex", "siong", "dev", "sandbox"] as const;
const SANDBOX_FIXTURE = { sandboxState: "test/fixtures/sandbox/sandbox.json" };

/** The committed stack; the sandbox one against the fixture hosts, with no secrets (it generates them). */
function runStack(stack: (typeof STACKS)[number]) {
  return stack === "sandbox" ? runProgram(stack, { omitSecrets: SECRET_KEYS, overrides: SANDBOX_FIXTURE }) : runProgram(stack);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fidelity-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the semantics table covers the program", () => {
  test.each(STACKS)("every input %s sets on a custom resource is in the table", async (stack) => {
    const run = await runStack(stack);
    const unknown: string[] = [];
    for (const resource of run.resources) {
      if (!resource.type.includes(":") || NOT_APPLIED.has(resource.type) || resource.type.startsWith("cm:")) continue;
      const table = SEMANTICS_BY_TYPE[resource.type];
      if (table === undefined) {
        unknown.push(`${resource.type} (no table)`);
        continue;
      }
      for (const [input, value] of Object.entries(resource.inputs)) {
        if (value !== undefined && table[input] === undefined) unknown.push(`${resource.type}.${input}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  test.each(STACKS)("%s: every container input the provider ignores on update is in replaceOnChanges", async (stack) => {
    const run = await runStack(stack);
    for (const container of run.byType(CONTAINER)) {
      const ignored = Object.keys(container.inputs).filter((input) => CONTAINER_INPUTS[input]?.effect === "ignored");
      expect(ignored.length, container.name).toBeGreaterThan(0);
      expect(container.options?.replaceOnChanges, container.name).toEqual(expect.arrayContaining(ignored));
    }
  });

  test("planning: ForceNew replaces, Update's fields update, ignored fields update unless named", () => {
    expect(planChange(CONTAINER, ["memory"], [])).toEqual({ kind: "update", inputs: ["memory"] });
    expect(planChange(CONTAINER, ["healthcheck"], [])).toEqual({ kind: "update", inputs: ["healthcheck"] });
    expect(planChange(CONTAINER, ["healthcheck"], ["healthcheck"])).toEqual({ kind: "replace", because: ["healthcheck"] });
    expect(planChange(CONTAINER, ["user", "memory"], [])).toEqual({ kind: "replace", because: ["user"] });
    expect(planChange(PROVIDER, ["host"], [])).toEqual({ kind: "update", inputs: ["host"] });
    expect(() => planChange(CONTAINER, ["privileged"], [])).toThrow(/not in the applier's provider semantics table/);
  });

  test("URNs map to the applier's keys, parents included", () => {
    expect(keyOfUrn("urn:pulumi:rex::cm-infra::cm:app:FlaskStack$docker:index/container:Container::rex-mysql")).toBe(`${CONTAINER}::rex-mysql`);
    expect(keyOfUrn("urn:pulumi:rex::cm-infra::pulumi:providers:docker::rex-docker")).toBe(`${PROVIDER}::rex-docker`);
  });
});

/** Parses the Go durations the program writes ("1m0s", "15s"). */
function nanosOf(duration: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (match === null || duration === "") throw new Error(`not a Go duration: ${duration}`);
  const [, hours = "0", minutes = "0", seconds = "0"] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1e9;
}

describe.each(STACKS)("the program on %s", (stack) => {
  test("every container waits for its health check, within a timeout longer than its first checks", async () => {
    const run = await runStack(stack);
    for (const container of run.byType(CONTAINER)) {
      const health = container.inputs.healthcheck as { interval: string; startPeriod: string; retries: number } | undefined;
      expect(health, container.name).toBeDefined();
      expect(container.inputs.wait, container.name).toBe(true);
      const timeout = Number(container.inputs.waitTimeout) * 1e9;
      expect(timeout, container.name).toBeGreaterThan(nanosOf(health?.interval ?? "") * 2);
    }
  });

  test("health-check durations read back unchanged (Go's Duration.String)", async () => {
    const run = await runStack(stack);
    for (const container of run.byType(CONTAINER)) {
      const health = container.inputs.healthcheck as Record<string, unknown>;
      for (const field of ["interval", "timeout", "startPeriod"]) {
        const written = String(health[field]);
        expect(goDurationOfNanos(nanosOf(written)), `${container.name}.${field}`).toBe(written);
      }
    }
  });

  test("the Docker provider is replaced when its host changes, and every Docker resource with it", async () => {
    const run = await runStack(stack);
    const [provider, ...others] = run.byType(PROVIDER);
    expect(others).toEqual([]);
    expect(provider?.options?.replaceOnChanges).toEqual(["host"]);
    const dockerResources = run.resources.filter((resource) => resource.type.startsWith("docker:"));
    expect(dockerResources.length).toBeGreaterThan(5);
    for (const resource of dockerResources) {
      expect(resource.options?.replaceWith.map(keyOfUrn), resource.name).toEqual([`${PROVIDER}::${provider?.name}`]);
    }
  });
});

/** One `pulumi up` of a small program through the applier with fake transports. */
async function apply(applier: SandboxApplier, program: () => void, refresh = false) {
  await applier.install(PROJECT, "unit", { refresh });
  program();
  return applier.finish();
}

const HEALTH = { tests: ["CMD", "true"], interval: "10s", timeout: "5s", retries: 3, startPeriod: "1m0s" };

function smallStack(host: string, options: { replaceOnHostChange: boolean; health?: typeof HEALTH; replaceOnChanges?: string[] }) {
  return () => {
    const provider = new docker.Provider("engine", { host }, options.replaceOnHostChange ? { replaceOnChanges: ["host"] } : {});
    const replaceWith = options.replaceOnHostChange ? [provider] : [];
    const network = new docker.Network("net", { name: "t-net" }, { provider, replaceWith, deleteBeforeReplace: true });
    new docker.Container(
      "app",
      { name: "t-app", image: "sha256:abc", networksAdvanced: [{ name: network.name }], healthcheck: options.health ?? HEALTH, wait: true, mustRun: true },
      { provider, replaceWith, replaceOnChanges: options.replaceOnChanges ?? [] },
    );
  };
}

function applierWith(fake: ReturnType<typeof fakeDocker>) {
  return new SandboxApplier({ statePath: join(dir, "state.json"), dockerRunnerFor: fake.factory, ssh: fakeSsh().executor, bcrypt: fakeBcrypt, healthPollIntervalMs: 1 });
}

const lines = (fake: ReturnType<typeof fakeDocker>, from: number) => fake.calls.slice(from).map((call) => `${call.host} ${call.args.join(" ")}`);

describe("the Docker provider's engine (host)", () => {
  test("updated in place, a new host leaves every resource on the old engine (the defect)", async () => {
    const fake = fakeDocker();
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@old", { replaceOnHostChange: false }));
    const before = fake.calls.length;
    const moved = await apply(applier, smallStack("ssh://root@new", { replaceOnHostChange: false }));
    expect(changeCount(moved)).toBe(0);
    expect(lines(fake, before)).toEqual([]);
    // A later delete goes through the provider's current config: to the new engine, missing the old container.
    const destroyed = fake.calls.length;
    await applier.destroy();
    expect(lines(fake, destroyed).filter((line) => line.includes("rm")).every((line) => line.startsWith("ssh://root@new"))).toBe(true);
  });

  test("replaced, every resource is deleted on the old engine and created on the new one", async () => {
    const fake = fakeDocker();
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@old", { replaceOnHostChange: true }));
    const before = fake.calls.length;
    const moved = await apply(applier, smallStack("ssh://root@new", { replaceOnHostChange: true }));
    expect(moved.resources.replaced).toBe(2);
    const calls = lines(fake, before);
    expect(calls).toContain("ssh://root@old rm --force --volumes t-app");
    expect(calls).toContain("ssh://root@old network rm t-net");
    expect(calls.filter((line) => / (create|network create) /.test(` ${line.split(" ").slice(1).join(" ")} `)).every((line) => line.startsWith("ssh://root@new"))).toBe(true);
    expect(calls.some((line) => line.startsWith("ssh://root@new create --name t-app"))).toBe(true);
  });
});

describe("container changes the provider cannot apply in place", () => {
  const changedHealth = { ...HEALTH, interval: "20s" };

  test("a health-check change without replaceOnChanges is an 'update' that touches nothing (the defect)", async () => {
    const fake = fakeDocker();
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }));
    const before = fake.calls.length;
    const changed = await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true, health: changedHealth }));
    expect(changed.resources.updated).toBe(1);
    expect(lines(fake, before)).toEqual([]);
  });

  test("named in replaceOnChanges, it replaces the container with the new check", async () => {
    const fake = fakeDocker();
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true, replaceOnChanges: ["healthcheck"] }));
    const before = fake.calls.length;
    const changed = await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true, health: changedHealth, replaceOnChanges: ["healthcheck"] }));
    expect(changed.resources.replaced).toBe(1);
    const calls = lines(fake, before);
    expect(calls.findIndex((line) => line.includes("rm --force --volumes t-app"))).toBeLessThan(calls.findIndex((line) => line.includes("create --name t-app")));
    expect(calls.find((line) => line.includes("create --name t-app"))).toContain("--health-interval 20s");
  });
});

describe("Create's wait", () => {
  test("a container that never becomes healthy fails the apply, naming it", async () => {
    const fake = fakeDocker({}, { health: () => "unhealthy" });
    const applier = applierWith(fake);
    const program = () => {
      const provider = new docker.Provider("engine", { host: "ssh://root@h" });
      new docker.Container("broken", { name: "t-broken", image: "sha256:abc", healthcheck: HEALTH, wait: true, waitTimeout: 1 }, { provider });
    };
    await expect(apply(applier, program)).rejects.toThrow(/docker:index\/container:Container \(broken\): container failed to be in healthy state/);
  });

  test("without wait, a crash-looping container is created as if it were fine (mustRun does not wait)", async () => {
    const fake = fakeDocker({}, { health: () => "unhealthy" });
    const applier = applierWith(fake);
    const program = () => {
      const provider = new docker.Provider("engine", { host: "ssh://root@h" });
      new docker.Container("broken", { name: "t-broken", image: "sha256:abc", healthcheck: HEALTH, mustRun: true }, { provider });
    };
    expect((await apply(applier, program)).resources.created).toBe(1);
  });
});

describe("networks", () => {
  test("a network of the same name already on the engine fails create (nothing adopts it)", async () => {
    const fake = fakeDocker();
    await fake.factory({ host: "ssh://root@h", sshOpts: [] })(["network", "create", "t-net"]);
    const applier = applierWith(fake);
    await expect(apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }))).rejects.toThrow(/network with name t-net already exists/);
  });
});

/** What `docker container inspect` reports for a container created from these inputs. */
function inspectOf(inputs: { name: string; healthcheck: typeof HEALTH }): ContainerInspect {
  return {
    Name: `/${inputs.name}`,
    Image: "sha256:abc",
    State: { Running: true, Status: "running" },
    Config: {
      Image: "sha256:abc",
      Cmd: null,
      User: "",
      Healthcheck: {
        Test: inputs.healthcheck.tests,
        Interval: nanosOf(inputs.healthcheck.interval),
        Timeout: nanosOf(inputs.healthcheck.timeout),
        StartPeriod: nanosOf(inputs.healthcheck.startPeriod),
        Retries: inputs.healthcheck.retries,
      },
    },
    HostConfig: {
      ReadonlyRootfs: false,
      SecurityOpt: null,
      RestartPolicy: { Name: "no" },
      CapAdd: null,
      CapDrop: null,
      Tmpfs: null,
      Memory: 0,
      MemorySwap: 0,
      LogConfig: { Type: "json-file", Config: {} },
    },
    NetworkSettings: { Ports: {} },
  };
}

describe("up --refresh (the provider's Read)", () => {
  test("a duration written as '60s' reads back as '1m0s' and shows a change (the defect)", () => {
    const stored = { name: "t", image: "sha256:abc", healthcheck: { ...HEALTH, startPeriod: "60s" } };
    const refreshed = refreshedContainerInputs(stored, readContainer(inspectOf({ name: "t", healthcheck: HEALTH }), stored));
    expect((refreshed.healthcheck as Record<string, unknown>).startPeriod).toBe("1m0s");
  });

  test("written as Go prints it, a refresh right after create changes nothing", async () => {
    const fake = fakeDocker({}, { inspect: (name) => (name === "t-app" ? inspectOf({ name, healthcheck: HEALTH }) : undefined) });
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }));
    const refreshed = await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }), true);
    expect(changeCount(refreshed)).toBe(0);
  });

  test("a stopped container reads as mustRun false: the refresh plans an update that starts it", async () => {
    const stopped = (name: string) => ({ ...inspectOf({ name, healthcheck: HEALTH }), State: { Running: false, Status: "exited" } });
    const fake = fakeDocker({}, { inspect: (name) => (name === "t-app" ? stopped(name) : undefined) });
    const applier = applierWith(fake);
    await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }));
    const before = fake.calls.length;
    const refreshed = await apply(applier, smallStack("ssh://root@h", { replaceOnHostChange: true }), true);
    expect(refreshed.resources.updated).toBe(1);
    expect(lines(fake, before)).toContain("ssh://root@h start t-app");
  });
});

describe("the real rex stack through fake engines", () => {
  test("moving rex to another engine deletes every container and network on the old one and creates them on the new one", async () => {
    const fake = fakeDocker(REX_IMAGE_DIGESTS);
    const applier = applierWith(fake);
    await applyRex(applier);
    const oldHost = fake.calls[0]?.host ?? "";
    const before = fake.calls.length;
    // The way an operator moves a tier (dockerHost alone is refused: the provider pins
    // flaskHost's key for flaskHost's address): flaskHost, its LAN address and dockerHost
    // if the stack sets one go to the new host; the fixture's host key stays.
    const committed = stackConfig("rex");
    const flaskHost = JSON.parse(committed[`${PROJECT}:flaskHost`] ?? "{}") as Record<string, unknown>;
    const { counters: moved } = await applyRex(applier, {
      flaskHost: JSON.stringify({ ...flaskHost, address: "192.0.2.99" }),
      lanAddress: "192.0.2.99",
      ...(committed[`${PROJECT}:dockerHost`] === undefined ? {} : { dockerHost: `ssh://${String(flaskHost.sshUser)}@192.0.2.99:${String(flaskHost.sshPort)}` }),
    });
    const calls = lines(fake, before);
    const removed = calls.filter((line) => / (rm|network rm) /.test(` ${line.split(" ").slice(1).join(" ")} `));
    expect(removed.every((line) => line.startsWith(oldHost))).toBe(true);
    expect(removed.filter((line) => line.includes(" rm --force")), removed.join("\n")).toHaveLength(5);
    expect(removed.filter((line) => line.includes("network rm")).length).toBe(2);
    expect(calls.filter((line) => line.includes(" create --name ")).every((line) => line.startsWith("ssh://root@192.0.2.99:22"))).toBe(true);
    expect(moved.resources.replaced).toBeGreaterThanOrEqual(5 + 2 + 1);
  });
});
