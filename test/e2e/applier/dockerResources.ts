import { containerPlan } from "./containerArgs";
import { type AppliedState, type DesiredResource, type HandlerContext, type ResourceHandler, dockerOk, isNotFound } from "./handler";
import { InputReader, UnsupportedInputError } from "./inputReader";
import type { ResourceRecord } from "./types";

/** docker:index/network:Network: adopted when an identical network already exists. */
export function networkHandler(context: HandlerContext): ResourceHandler {
  const read = (desired: { inputs: Record<string, unknown> }) => {
    const reader = InputReader.of("network", desired.inputs);
    const spec = { name: reader.string("name"), internal: reader.optionalBoolean("internal") ?? false };
    reader.finish();
    return spec;
  };
  return {
    deleteBeforeReplaceByDefault: true,
    secretOutputs: [],
    validate: (desired) => void read(desired),
    requiresReplacement: () => true,
    async create(desired) {
      const { name, internal } = read(desired);
      const docker = context.docker(desired.engine);
      const existing = await docker(["network", "inspect", "--format", "{{.Id}} {{.Internal}}", name]);
      if (existing.exitCode === 0) {
        const [id = "", isInternal] = existing.stdout.trim().split(" ");
        if ((isInternal === "true") !== internal) throw new Error(`network ${name} exists with internal=${isInternal}; want ${internal}`);
        return { id, outputs: { driver: "bridge" } };
      }
      const id = await dockerOk(docker, ["network", "create", ...(internal ? ["--internal"] : []), name]);
      return { id, outputs: { driver: "bridge" } };
    },
    async delete(record) {
      const result = await context.docker(record.engine)(["network", "rm", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker network rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
    },
  };
}

/** docker:index/volume:Volume (`docker volume create` is idempotent by itself). */
export function volumeHandler(context: HandlerContext): ResourceHandler {
  const read = (inputs: Record<string, unknown>) => {
    const reader = InputReader.of("volume", inputs);
    const name = reader.string("name");
    reader.finish();
    return name;
  };
  return {
    deleteBeforeReplaceByDefault: true,
    secretOutputs: [],
    validate: (desired) => void read(desired.inputs),
    requiresReplacement: () => true,
    async create(desired) {
      const name = await dockerOk(context.docker(desired.engine), ["volume", "create", read(desired.inputs)]);
      return { id: name, outputs: { driver: "local" } };
    },
    async delete(record) {
      const result = await context.docker(record.engine)(["volume", "rm", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker volume rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
    },
  };
}

interface ImageInspect {
  readonly Id: string;
  readonly RepoDigests: readonly string[] | null;
}

/** docker:index/remoteImage:RemoteImage: the sandbox preloads images, nothing is pulled. */
export function remoteImageHandler(context: HandlerContext): ResourceHandler {
  const read = (inputs: Record<string, unknown>) => {
    const reader = InputReader.of("remoteImage", inputs);
    const spec = { name: reader.string("name"), keepLocally: reader.optionalBoolean("keepLocally") ?? false };
    reader.finish();
    return spec;
  };
  return {
    deleteBeforeReplaceByDefault: false,
    secretOutputs: [],
    validate: (desired) => void read(desired.inputs),
    requiresReplacement: () => true,
    async create(desired) {
      const { name } = read(desired.inputs);
      const result = await context.docker(desired.engine)(["image", "inspect", "--format", "{{json .}}", name]);
      if (result.exitCode !== 0) {
        throw new Error(`image ${name} is not on the engine and the test applier never pulls: preload it into the sandbox (${result.stderr.trim()})`);
      }
      const inspect = JSON.parse(result.stdout) as ImageInspect;
      const repoDigest = inspect.RepoDigests?.[0] ?? "";
      return { id: `${inspect.Id}${name}`, outputs: { imageId: inspect.Id, repoDigest } };
    },
    async delete(record) {
      if (record.inputs.keepLocally === true) return;
      const result = await context.docker(record.engine)(["image", "rm", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker image rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
    },
  };
}

/** docker:index/image:Image builds (dev tier) are out of the sandbox's scope. */
export function imageBuildHandler(): ResourceHandler {
  const refuse = (): never => {
    throw new UnsupportedInputError("docker:index/image:Image (image builds) is not supported by the test applier: use a tier that pulls images");
  };
  return {
    deleteBeforeReplaceByDefault: false,
    secretOutputs: [],
    validate: refuse,
    requiresReplacement: () => true,
    create: async () => refuse(),
    delete: async () => undefined,
  };
}

const RUNNING_CHECKS = 10;
const RUNNING_CHECK_INTERVAL_MS = 1000;

/** docker:index/container:Container: any change replaces it (remove, then create). */
export function containerHandler(context: HandlerContext, pollIntervalMs = RUNNING_CHECK_INTERVAL_MS): ResourceHandler {
  return {
    deleteBeforeReplaceByDefault: true,
    secretOutputs: [],
    validate: (desired) => void containerPlan(desired.inputs, desired.name),
    requiresReplacement: () => true,
    async create(desired): Promise<AppliedState> {
      const plan = containerPlan(desired.inputs, desired.name);
      const docker = context.docker(desired.engine);
      const id = await dockerOk(docker, plan.createArgs, plan.environment);
      for (const connect of plan.networkConnects) await dockerOk(docker, connect);
      await dockerOk(docker, ["start", plan.name]);
      if (plan.mustRun) await waitUntilRunning(desired, context, pollIntervalMs);
      return { id, outputs: {} };
    },
    // The provider re-reads containers on refresh: gone, or stopped while mustRun, is a diff.
    async isDriftedOnRefresh(record: ResourceRecord): Promise<boolean> {
      const result = await context.docker(record.engine)(["container", "inspect", "--format", "{{.State.Status}}", String(record.inputs.name)]);
      if (isNotFound(result)) return true;
      return record.inputs.mustRun === true && result.stdout.trim() !== "running";
    },
    async delete(record: ResourceRecord) {
      const result = await context.docker(record.engine)(["rm", "--force", "--volumes", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
    },
  };
}

/** mustRun: the provider fails the create when the container does not stay up. */
async function waitUntilRunning(desired: DesiredResource, context: HandlerContext, pollIntervalMs: number): Promise<void> {
  const name = String(desired.inputs.name);
  const docker = context.docker(desired.engine);
  let status = "";
  for (let check = 0; check < RUNNING_CHECKS; check += 1) {
    status = await dockerOk(docker, ["container", "inspect", "--format", "{{.State.Status}}", name]);
    if (status === "running") return;
    if (status !== "created") break;
    await new Promise((done) => setTimeout(done, pollIntervalMs));
  }
  const logs = await docker(["logs", "--tail", "40", name]);
  throw new Error(`container ${name} is ${status}, not running (mustRun):\n${logs.stdout}${logs.stderr}`);
}
