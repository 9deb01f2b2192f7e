import { containerPlan } from "./containerArgs";
import { type AppliedState, type HandlerContext, type ResourceHandler, dockerOk, isNotFound } from "./handler";
import { CONTAINER_INPUTS } from "./providerSemantics";
import { refreshedInputs } from "./refresh";
import { shellJoin } from "./shellQuote";
import type { DockerRunner, ResourceRecord } from "./types";

/**
 * docker:index/container:Container, after terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_container_funcs.go (Create, Read, Update, Delete).
 */
export function containerHandler(context: HandlerContext, healthPollIntervalMs = HEALTH_POLL_INTERVAL_MS): ResourceHandler {
  return {
    // pulumi-docker provider/resources.go: docker_container has DeleteBeforeReplace.
    deleteBeforeReplaceByDefault: true,
    secretOutputs: [],
    validate: (desired) => void containerPlan(desired.inputs, desired.name),
    async create(desired): Promise<AppliedState> {
      const plan = containerPlan(desired.inputs, desired.name);
      const docker = context.docker(desired.engine);
      const id = await dockerOk(docker, plan.createArgs, plan.environment);
      if (plan.networkConnects.length > 0) {
        const detached = await docker(["network", "disconnect", "bridge", plan.name]);
        if (detached.exitCode !== 0 && !/is not connected/i.test(detached.stderr)) {
          throw new Error(`Unable to disconnect the default network: ${detached.stderr.trim()}`);
        }
        for (const connect of plan.networkConnects) await dockerOk(docker, connect);
      }
      await dockerOk(docker, ["start", plan.name]);
      // mustRun does not wait: Create starts the container and reads it once, and a
      // restarting container reads as running. Only `wait` polls, for health.
      if (plan.wait) await waitUntilHealthy(docker, plan.name, plan.waitTimeoutSeconds, healthPollIntervalMs);
      return { id, outputs: {} };
    },
    // Update applies restart and the resource limits with ContainerUpdate, and starts a
    // stopped container when must_run went false -> true; every other change is ignored.
    async update(old, desired, changed): Promise<AppliedState> {
      const docker = context.docker(old.engine);
      const name = String(old.inputs.name);
      const limits = ["restart", "memory", "memorySwap"].filter((input) => changed.includes(input));
      if (limits.length > 0) await dockerOk(docker, ["update", ...updateFlags(desired.inputs), name]);
      if (changed.includes("mustRun") && old.inputs.mustRun === false && desired.inputs.mustRun !== false) {
        await dockerOk(docker, ["start", name]);
      }
      return { id: old.id, outputs: old.outputs };
    },
    async read(record): Promise<Record<string, unknown> | undefined> {
      const result = await context.docker(record.engine)(["container", "inspect", String(record.inputs.name)]);
      if (isNotFound(result)) return undefined;
      if (result.exitCode !== 0) throw new Error(`docker container inspect ${String(record.inputs.name)}: ${result.stderr.trim()}`);
      const [inspect] = JSON.parse(result.stdout) as ContainerInspect[];
      if (inspect === undefined) return undefined;
      return refreshedContainerInputs(record.inputs, readContainer(inspect, record.inputs));
    },
    async delete(record: ResourceRecord): Promise<void> {
      const docker = context.docker(record.engine);
      const name = String(record.inputs.name);
      const grace = typeof record.inputs.destroyGraceSeconds === "number" ? record.inputs.destroyGraceSeconds : 0;
      const stopped = await docker(["stop", "--time", String(grace), name]);
      if (stopped.exitCode !== 0 && !isNotFound(stopped)) throw new Error(`Error stopping container ${name}: ${stopped.stderr.trim()}`);
      // remove_volumes defaults to true: anonymous volumes go with the container.
      const removed = await docker(["rm", "--force", "--volumes", name]);
      if (removed.exitCode !== 0 && !isNotFound(removed)) throw new Error(`Error deleting container ${name}: ${removed.stderr.trim()}`);
    },
  };
}

const HEALTH_POLL_INTERVAL_MS = 1000;

/** Create's wait loop: inspect every second until "healthy", or fail at wait_timeout. */
async function waitUntilHealthy(docker: DockerRunner, name: string, timeoutSeconds: number, pollIntervalMs: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    const health = await dockerOk(docker, ["container", "inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}} {{.State.Status}}", name]);
    const [status = "", state = ""] = health.split(" ");
    if (status === "") {
      throw new Error("you have supplied a 'wait' argument, but the container does not have a healthcheck defined");
    }
    if (status === "healthy") return;
    last = `${status}, ${state}`;
    if (Date.now() >= deadline) break;
    await new Promise((done) => setTimeout(done, pollIntervalMs));
  }
  const logs = await docker(["logs", "--tail", "20", name]);
  // The provider says only this (errContainerFailedToBeInHealthyState); the engine adds the
  // resource's URN, which names the container. The last state and logs are the applier's own help.
  throw new Error(`container failed to be in healthy state (${name}: ${last} after ${timeoutSeconds} s):\n${logs.stdout}${logs.stderr}`);
}

function updateFlags(inputs: Record<string, unknown>): string[] {
  const flags: string[] = [];
  if (typeof inputs.restart === "string") flags.push("--restart", inputs.restart);
  if (typeof inputs.memory === "number") flags.push("--memory", `${inputs.memory}m`);
  if (typeof inputs.memorySwap === "number") flags.push("--memory-swap", inputs.memorySwap === -1 ? "-1" : `${inputs.memorySwap}m`);
  return flags;
}

/** The fields of `docker container inspect` the provider's Read uses. */
export interface ContainerInspect {
  readonly Name: string;
  readonly Image: string;
  readonly State: { readonly Running: boolean; readonly Status: string };
  readonly Config: {
    readonly Image: string;
    readonly Cmd: readonly string[] | null;
    readonly User: string;
    readonly Healthcheck?: {
      readonly Test?: readonly string[];
      readonly Interval?: number;
      readonly Timeout?: number;
      readonly StartPeriod?: number;
      readonly StartInterval?: number;
      readonly Retries?: number;
    } | null;
  };
  readonly HostConfig: {
    readonly ReadonlyRootfs: boolean;
    readonly SecurityOpt: readonly string[] | null;
    readonly RestartPolicy: { readonly Name: string };
    readonly CapAdd: readonly string[] | null;
    readonly CapDrop: readonly string[] | null;
    readonly Tmpfs: Readonly<Record<string, string>> | null;
    readonly Memory: number;
    readonly MemorySwap: number;
    readonly LogConfig: { readonly Type: string; readonly Config: Readonly<Record<string, string>> | null };
  };
  readonly NetworkSettings: { readonly Ports: Readonly<Record<string, readonly { readonly HostIp: string; readonly HostPort: string }[] | null>> | null };
}

/**
 * Go's time.Duration.String() of a nanosecond count, for the values Docker stores. Written
 * apart from the program's render/containers.ts goDuration on purpose: the model of the
 * provider's Read must not inherit a bug of the code it checks.
 */
export function goDurationOfNanos(nanos: number): string {
  if (nanos === 0) return "0s";
  if (nanos % 1e9 !== 0) return `${nanos / 1e6}ms`;
  const total = nanos / 1e9;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/**
 * What resourceDockerContainerRead sets, in the program's (camelCase) input names, for
 * the inputs the table says Read touches.
 */
export function readContainer(inspect: ContainerInspect, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const host = inspect.HostConfig;
  const check = inspect.Config.Healthcheck;
  const caps = { adds: host.CapAdd ?? [], drops: host.CapDrop ?? [] };
  const read: Record<string, unknown> = {
    name: inspect.Name.replace(/^\/+/, ""),
    image: typeof inputs.image === "string" && inputs.image.startsWith("sha256:") ? inspect.Image : inspect.Config.Image,
    command: inspect.Config.Cmd ?? [],
    user: inspect.Config.User,
    securityOpts: host.SecurityOpt ?? [],
    restart: host.RestartPolicy.Name,
    readOnly: host.ReadonlyRootfs,
    // Read sets capabilities only when either list is non-empty.
    capabilities: caps.adds.length > 0 || caps.drops.length > 0 ? caps : undefined,
    tmpfs: host.Tmpfs ?? {},
    memory: host.Memory / 1024 / 1024,
    memorySwap: host.MemorySwap > 0 ? host.MemorySwap / 1024 / 1024 : host.MemorySwap,
    logDriver: host.LogConfig.Type,
    // containerLogOptsForState: only when the input sets log_opts.
    logOpts: inputs.logOpts === undefined ? undefined : host.LogConfig.Config ?? {},
    healthcheck:
      check === undefined || check === null
        ? undefined
        : {
            tests: execFormOf(check.Test ?? [], inputs.healthcheck),
            interval: goDurationOfNanos(check.Interval ?? 0),
            timeout: goDurationOfNanos(check.Timeout ?? 0),
            startPeriod: goDurationOfNanos(check.StartPeriod ?? 0),
            startInterval: goDurationOfNanos(check.StartInterval ?? 0),
            retries: check.Retries ?? 0,
          },
    // If stopped and must_run is true, Read sets must_run false so the plan restarts it.
    mustRun: !inspect.State.Running && inputs.mustRun !== false ? false : inputs.mustRun,
  };
  // Read sets ports only when the input has some, and only while running or mustRun.
  const hasPorts = Array.isArray(inputs.ports) && inputs.ports.length > 0;
  if (hasPorts && (inspect.State.Running || inputs.mustRun !== false)) read.ports = flattenPorts(inspect.NetworkSettings.Ports);
  return read;
}

/**
 * The provider sends the exec form (["CMD", argv...]) through the Engine API and reads it
 * back unchanged. The docker CLI this applier drives can only pass a shell string
 * (--health-cmd stores ["CMD-SHELL", s]; containerArgs.ts quotes argv into s). Undo
 * exactly that translation, and nothing else, so the read shows what the provider's would.
 */
function execFormOf(test: readonly string[], input: unknown): readonly string[] {
  const inputTests = (input as { tests?: unknown } | undefined)?.tests;
  if (!Array.isArray(inputTests) || inputTests[0] !== "CMD" || test[0] !== "CMD-SHELL" || test.length !== 2) return test;
  const argv = inputTests.slice(1).map(String);
  return shellJoin(argv) === test[1] ? inputTests.map(String) : test;
}

/** flattenContainerPorts: sorted by container port, one entry per host binding. */
function flattenPorts(ports: ContainerInspect["NetworkSettings"]["Ports"]): Record<string, unknown>[] {
  const keys = Object.keys(ports ?? {}).sort((left, right) => Number.parseInt(left, 10) - Number.parseInt(right, 10) || left.localeCompare(right));
  return keys.flatMap((key) => {
    const [internal = "0", protocol = "tcp"] = key.split("/");
    return (ports?.[key] ?? []).map((binding) => ({ internal: Number(internal), external: Number(binding.HostPort), ip: binding.HostIp, protocol }));
  });
}

/** Schema defaults the engine fills into the planned inputs before it compares them with a read. */
function withSchemaDefaults(inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const health = inputs.healthcheck as Record<string, unknown> | undefined;
  const ports = inputs.ports as Record<string, unknown>[] | undefined;
  return {
    ...inputs,
    restart: inputs.restart ?? "no",
    readOnly: inputs.readOnly ?? false,
    mustRun: inputs.mustRun ?? true,
    healthcheck: health === undefined ? undefined : { interval: "0s", timeout: "0s", startPeriod: "0s", startInterval: "0s", retries: 0, ...health },
    ports: ports?.map((port) => ({ ip: "0.0.0.0", protocol: "tcp", ...port })),
    capabilities: inputs.capabilities === undefined ? undefined : { adds: [], drops: [], ...(inputs.capabilities as Record<string, unknown>) },
  };
}

/** The state a refresh leaves for a container: the generic rule, with the container schema's defaults. */
export function refreshedContainerInputs(stored: Readonly<Record<string, unknown>>, read: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return refreshedInputs(CONTAINER_INPUTS, stored, read, withSchemaDefaults(stored));
}
