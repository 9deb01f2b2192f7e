import { type AppliedState, type DesiredResource, type HandlerContext, type ResourceHandler, isNotFound } from "./handler";
import { InputReader, UnsupportedInputError } from "./inputReader";
import type { DockerEngine, DockerRunner, RegistryCredential, ResourceRecord } from "./types";

/**
 * docker:index/remoteImage:RemoteImage, after terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_image_funcs.go (bridged by @pulumi/docker 5.2.0), with
 * the provider's registry_auth as provider.go and config.go read it. The provider pulls
 * through the engine API itself and sends X-Registry-Auth built from its own registry_auth
 * only; the engine never reads a config.json. The applier drives the docker CLI, which
 * would add the credentials of whatever `docker login` the CLI's side has, so every pull
 * runs with a private, throwaway DOCKER_CONFIG holding exactly what the provider would
 * send (possibly nothing): the CLI then sends the same X-Registry-Auth.
 */
export function remoteImageHandler(context: HandlerContext): ResourceHandler {
  return {
    // pulumi-docker provider/resources.go sets DeleteBeforeReplace for containers only.
    deleteBeforeReplaceByDefault: false,
    secretOutputs: [],
    validate: (desired) => void imageSpec(desired.inputs),
    // resourceDockerImageCreate: findImage (local image first, else pull), then Read.
    async create(desired: DesiredResource): Promise<AppliedState> {
      const { name } = imageSpec(desired.inputs);
      const found = await findImage(context.docker(desired.engine), name, desired.engine);
      // d.SetId(apiImage.ID + d.Get("name")): the id appends the name.
      return { id: `${found.Id}${name}`, outputs: imageOutputs(name, found) };
    },
    // resourceDockerImageUpdate: findImage again (pulls if the image has gone), then Read.
    async update(old: ResourceRecord, desired: DesiredResource): Promise<AppliedState> {
      const { name } = imageSpec(desired.inputs);
      const found = await findImage(context.docker(old.engine), name, old.engine);
      return { id: `${found.Id}${name}`, outputs: imageOutputs(name, found) };
    },
    // resourceDockerImageRead: no local image of that name -> SetId(""): the resource is
    // gone from state and the next `up` creates it, i.e. pulls it again.
    async read(record: ResourceRecord): Promise<Record<string, unknown> | undefined> {
      const found = await inspectImage(context.docker(record.engine), String(record.inputs.name));
      return found === undefined ? undefined : record.inputs;
    },
    // resourceDockerImageDelete -> removeImage: keep_locally skips everything; otherwise
    // ImageRemove(name, Force: force_remove) when the image is still there.
    async delete(record: ResourceRecord): Promise<void> {
      const { name, keepLocally } = imageSpec(record.inputs);
      if (keepLocally) return;
      const result = await context.docker(record.engine)(["image", "rm", name]);
      if (result.exitCode !== 0 && !isNotFound(result)) throw new Error(`Unable to remove Docker image: ${result.stderr.trim()}`);
    },
  };
}

interface ImageSpec {
  readonly name: string;
  readonly keepLocally: boolean;
}

/** The inputs this program sets (providerSemantics.ts REMOTE_IMAGE_INPUTS); others are refused. */
function imageSpec(inputs: Record<string, unknown>): ImageSpec {
  const reader = InputReader.of("remoteImage", inputs);
  const spec = { name: reader.string("name"), keepLocally: reader.optionalBoolean("keepLocally") ?? false };
  reader.finish();
  // findImage: "empty image name is not allowed".
  if (spec.name === "") throw new Error("Unable to read Docker image into resource: empty image name is not allowed");
  return spec;
}

interface ImageInspect {
  readonly Id: string;
  readonly RepoDigests: readonly string[] | null;
}

async function inspectImage(docker: DockerRunner, name: string): Promise<ImageInspect | undefined> {
  const result = await docker(["image", "inspect", "--format", "{{json .}}", name]);
  if (isNotFound(result)) return undefined;
  if (result.exitCode !== 0) throw new Error(`unable to inspect image ${name}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as ImageInspect;
}

/**
 * findImage: an image already on the engine under that name is used as it is (no pull, no
 * credentials needed); otherwise pullImage, and the image must then be there.
 */
async function findImage(docker: DockerRunner, name: string, engine: DockerEngine | undefined): Promise<ImageInspect> {
  const local = await inspectImage(docker, name);
  if (local !== undefined) return local;
  const registry = registryOfImage(name);
  const credential = engine?.registryAuth?.find((entry) => entry.registry === registry);
  const pulled = await docker(["pull", "--quiet", name], undefined, { dockerConfig: dockerConfigFor(registry, credential) });
  // pullImage returns ImagePull's error, which is the daemon's answer to the request
  // ("Error response from daemon: ..."; the CLI prints it the same way). A failure later in
  // the progress stream is only logged by pullImage, and findImage then finds no image.
  const daemonError = pulled.stderr.trim().split("\n").find((line) => line.startsWith("Error response from daemon:"));
  if (pulled.exitCode !== 0 && daemonError !== undefined) {
    throw new Error(`Unable to read Docker image into resource: unable to pull image ${name}: error pulling image ${name}: ${daemonError}`);
  }
  const after = await inspectImage(docker, name);
  if (after === undefined) throw new Error(`Unable to read Docker image into resource: unable to find or pull image ${name}`);
  return after;
}

function imageOutputs(name: string, image: ImageInspect): Record<string, unknown> {
  return { imageId: image.Id, repoDigest: repoDigestOf(name, image.RepoDigests ?? []) };
}

/**
 * data_source_docker_image.go determineRepoDigest: none -> ""; one -> it; several -> the
 * first starting with the name cut at its first ":" (a registry port cuts there too, as
 * upstream does), else the first.
 */
export function repoDigestOf(name: string, digests: readonly string[]): string {
  if (digests.length <= 1) return digests[0] ?? "";
  const colon = name.indexOf(":");
  const withoutTag = colon === -1 ? name : name.slice(0, colon);
  return digests.find((digest) => digest.startsWith(withoutTag)) ?? digests[0] ?? "";
}

/** Docker Hub as parseImageOptions names it when an image names no registry. */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";

/**
 * resource_docker_image_funcs.go parseImageOptions: the part before the first "/" is the
 * registry when the name has more than one "/", or when that part contains "." or ":" or is
 * "localhost"; else Docker Hub. pullImage looks this string up verbatim in the provider's
 * auth map (AuthConfigs.Configs[pullOpts.Registry]): no other normalisation.
 */
export function registryOfImage(name: string): string {
  const slash = name.indexOf("/");
  if (slash === -1) return DOCKER_HUB_REGISTRY;
  const first = name.slice(0, slash);
  const moreThanOneSlash = name.split("/").length - 1 > 1;
  return moreThanOneSlash || first.includes(".") || first.includes(":") || first === "localhost" ? first : DOCKER_HUB_REGISTRY;
}

/**
 * provider.go providerSetToRegistryAuth keys each registry_auth entry by
 * convertToHostname(canonicalizeRegistryAddress(address)) (config.go): the address with
 * "http://" or "https://" and any path removed.
 */
export function registryKeyOf(address: string): string {
  const stripped = address.startsWith("http://") ? address.slice("http://".length) : address.startsWith("https://") ? address.slice("https://".length) : address;
  return stripped.split("/", 1)[0] ?? "";
}

/**
 * The docker provider's `registryAuth` input (a JSON-encoded list: the SDK sends non-string
 * provider inputs that way), as its Configure turns it into credentials
 * (provider.go providerSetToRegistryAuth). Only address + username + password entries are
 * modelled: without a username upstream reads a config file on the deploying machine
 * (config_file, default ~/.docker/config.json), and auth_disabled sends dummy credentials.
 */
export function parseRegistryAuth(value: unknown, provider: string): readonly RegistryCredential[] | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (parsed === null) return undefined;
  if (!Array.isArray(parsed)) throw new UnsupportedInputError(`${provider}.registryAuth: expected a list, got ${typeof parsed}`);
  return parsed.map((entry, index) => {
    const reader = InputReader.of(`${provider}.registryAuth[${index}]`, entry);
    const address = reader.string("address");
    const username = reader.string("username");
    const password = reader.string("password");
    reader.finish();
    // validation.StringIsNotEmpty on address; an empty username falls through to config_file.
    if (address === "") throw new Error(`${provider}.registryAuth[${index}].address: expected a non-empty string`);
    if (username === "") throw new UnsupportedInputError(`${provider}.registryAuth[${index}]: no username (upstream then reads a config file on the deploying machine; not modelled)`);
    return { registry: registryKeyOf(address), username, password };
  });
}

/**
 * The docker CLI config.json for one pull: the matching credential under the name the CLI
 * looks up for that registry (Docker Hub's is "https://index.docker.io/v1/"), or no auths at
 * all, like the empty AuthConfig pullImage sends when nothing matches.
 */
export function dockerConfigFor(registry: string, credential: RegistryCredential | undefined): string {
  if (credential === undefined) return `${JSON.stringify({ auths: {} })}\n`;
  const key = registry === DOCKER_HUB_REGISTRY ? "https://index.docker.io/v1/" : registry;
  const auth = Buffer.from(`${credential.username}:${credential.password}`, "utf8").toString("base64");
  return `${JSON.stringify({ auths: { [key]: { auth } } })}\n`;
}
