import { type HandlerContext, type ResourceHandler, dockerOk, isNotFound } from "./handler";
import { InputReader, UnsupportedInputError } from "./inputReader";
import { NETWORK_INPUTS } from "./providerSemantics";
import { refreshedInputs } from "./refresh";

/**
 * docker:index/network:Network (resource_docker_network_funcs.go). Create is a plain
 * NetworkCreate: an existing network of that name (e.g. left by a compose deployment)
 * fails it, as Docker refuses duplicate names (CheckDuplicate; always on since API 1.44)
 * and nothing adopts it: import it with `pulumi import` (README "Troubleshooting").
 */
export function networkHandler(context: HandlerContext): ResourceHandler {
  const read = (desired: { inputs: Record<string, unknown> }) => {
    const reader = InputReader.of("network", desired.inputs);
    const spec = { name: reader.string("name"), internal: reader.optionalBoolean("internal") ?? false };
    reader.finish();
    return spec;
  };
  return {
    // pulumi-docker sets DeleteBeforeReplace for containers only: a network replacement
    // creates first unless the program asks otherwise.
    deleteBeforeReplaceByDefault: false,
    secretOutputs: [],
    validate: (desired) => void read(desired),
    async create(desired) {
      const { name, internal } = read(desired);
      const docker = context.docker(desired.engine);
      const existing = await docker(["network", "inspect", "--format", "{{.Id}}", name]);
      if (existing.exitCode === 0) {
        throw new Error(`Unable to create network: Error response from daemon: network with name ${name} already exists (id ${existing.stdout.trim().slice(0, 12)})`);
      }
      const id = await dockerOk(docker, ["network", "create", ...(internal ? ["--internal"] : []), name]);
      return { id, outputs: { driver: "bridge" } };
    },
    async read(record) {
      const result = await context.docker(record.engine)(["network", "inspect", "--format", "{{.Name}} {{.Internal}}", record.id]);
      if (result.exitCode !== 0) return undefined;
      const [name = "", internal = ""] = result.stdout.trim().split(" ");
      return refreshedInputs(NETWORK_INPUTS, record.inputs, { name, internal: internal === "true" });
    },
    async delete(record) {
      const result = await context.docker(record.engine)(["network", "rm", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker network rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
    },
  };
}

/**
 * docker:index/volume:Volume (resource_docker_volume.go): VolumeCreate returns the existing
 * volume of that name, so a replacement on the same engine keeps the data.
 */
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
    async create(desired) {
      const name = await dockerOk(context.docker(desired.engine), ["volume", "create", read(desired.inputs)]);
      return { id: name, outputs: { driver: "local" } };
    },
    async read(record) {
      const result = await context.docker(record.engine)(["volume", "inspect", "--format", "{{.Name}}", String(record.inputs.name)]);
      return result.exitCode === 0 ? { ...record.inputs, name: result.stdout.trim() } : undefined;
    },
    async delete(record) {
      const result = await context.docker(record.engine)(["volume", "rm", String(record.inputs.name)]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`docker volume rm ${String(record.inputs.name)}: ${result.stderr.trim()}`);
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
    create: async () => refuse(),
    delete: async () => undefined,
  };
}
