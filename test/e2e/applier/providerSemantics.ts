/**
 * What the real providers do with each input this program sets: the one table the applier
 * acts on. Read from (tags as installed): terraform-provider-docker v4.5.0 (bridged by
 * @pulumi/docker 5.2.0: pulumi-docker provider/resources.go points its `upstream` at that
 * tag), `internal/provider/resource_docker_{container,network,volume,image}.go` (schema:
 * ForceNew, Computed, Default) and `*_funcs.go` (Create, Read, Update, Delete);
 * pulumi-command v1.2.1 `provider/pkg/provider/remote/command.go`; pulumi-random's
 * RandomPassword (every input ForceNew).
 *
 * Effects, as the engine plans and the provider applies a change of that input:
 * - "replace":   ForceNew; the engine replaces the resource.
 * - "update":    applied in place by the provider's Update.
 * - "ignored":   neither ForceNew nor applied by Update: the plan says "update", the live
 *                resource keeps the old value. The program must name it in replaceOnChanges.
 * - "createOnly": read by Create only (e.g. `wait`): a later change is stored, nothing runs.
 * - "deleteOnly": read by Delete only (from the stored state).
 */
export type InputEffect = "replace" | "update" | "ignored" | "createOnly" | "deleteOnly";

/**
 * What the provider's Read puts in state for the input, compared with the input on
 * `up --refresh` (a difference is a planned change):
 * - "exact":      the live value as Docker reports it.
 * - "notRead":    Read never sets it: state keeps the input, no drift possible.
 * - "computed":   Optional+Computed: Read sets it, but an input left out never diffs.
 */
export type ReadBack = "exact" | "notRead" | "computed";

export interface InputSemantics {
  readonly effect: InputEffect;
  readonly read: ReadBack;
}

export type SemanticsTable = Readonly<Record<string, InputSemantics>>;

const replaceExact: InputSemantics = { effect: "replace", read: "exact" };
const replaceNotRead: InputSemantics = { effect: "replace", read: "notRead" };

/** docker:index/container:Container (resource_docker_container.go, *_funcs.go). */
export const CONTAINER_INPUTS: SemanticsTable = {
  name: replaceExact,
  // Read: `image` becomes container.Image when the input is an id ("sha256:..."), else Config.Image.
  image: replaceExact,
  command: { effect: "replace", read: "computed" },
  // Read deliberately skips env and labels (comment in resourceDockerContainerRead).
  envs: replaceNotRead,
  // Read sets networks_advanced only when state has none (import).
  networksAdvanced: replaceNotRead,
  // Read: flattenContainerPorts(NetworkSettings.Ports), while running or mustRun.
  ports: replaceExact,
  // Optional+Computed, not ForceNew, not in Update's list; Read: durations via Go's Duration.String().
  healthcheck: { effect: "ignored", read: "computed" },
  restart: { effect: "update", read: "exact" },
  logDriver: { effect: "replace", read: "computed" },
  logOpts: replaceExact,
  memory: { effect: "update", read: "exact" },
  memorySwap: { effect: "update", read: "exact" },
  securityOpts: { effect: "replace", read: "computed" },
  capabilities: replaceExact,
  readOnly: replaceExact,
  // Not ForceNew, not in Update's list; Read: HostConfig.Tmpfs.
  tmpfs: { effect: "ignored", read: "exact" },
  user: replaceExact,
  volumes: replaceNotRead,
  // Update starts the container when must_run goes false -> true; Read sets false when stopped.
  mustRun: { effect: "update", read: "exact" },
  wait: { effect: "createOnly", read: "notRead" },
  waitTimeout: { effect: "createOnly", read: "notRead" },
  destroyGraceSeconds: { effect: "deleteOnly", read: "notRead" },
};

/** The fields Update applies (resourceDockerContainerUpdate's attrs list, plus must_run). */
export const CONTAINER_UPDATED_IN_PLACE = Object.entries(CONTAINER_INPUTS)
  .filter(([, semantics]) => semantics.effect === "update")
  .map(([input]) => input);

/** docker:index/network:Network: every field ForceNew, no Update (resource_docker_network.go). */
export const NETWORK_INPUTS: SemanticsTable = {
  name: replaceExact,
  internal: replaceExact,
};

/** docker:index/volume:Volume (resource_docker_volume.go). */
export const VOLUME_INPUTS: SemanticsTable = {
  name: replaceExact,
};

/** docker:index/remoteImage:RemoteImage (resource_docker_image.go, resource_docker_image_funcs.go). */
export const REMOTE_IMAGE_INPUTS: SemanticsTable = {
  name: replaceNotRead,
  // Read by Delete only: true skips the image removal.
  keepLocally: { effect: "deleteOnly", read: "notRead" },
};

/**
 * command:remote:Command (pulumi-command v1.2.1 remote/command.go): only `triggers` forces
 * a replacement; any other change runs `update` (or `create` when there is none). No Read.
 */
export const REMOTE_COMMAND_INPUTS: SemanticsTable = {
  connection: { effect: "update", read: "notRead" },
  create: { effect: "update", read: "notRead" },
  update: { effect: "update", read: "notRead" },
  delete: { effect: "update", read: "notRead" },
  stdin: { effect: "update", read: "notRead" },
  environment: { effect: "update", read: "notRead" },
  logging: { effect: "update", read: "notRead" },
  addPreviousOutputInEnv: { effect: "update", read: "notRead" },
  triggers: replaceNotRead,
};

/** random:index/randomPassword:RandomPassword: every argument ForceNew (terraform-provider-random). */
export const RANDOM_PASSWORD_INPUTS: SemanticsTable = {
  length: replaceNotRead,
  special: replaceNotRead,
  upper: replaceNotRead,
  lower: replaceNotRead,
  numeric: replaceNotRead,
  overrideSpecial: replaceNotRead,
  minLower: replaceNotRead,
  minUpper: replaceNotRead,
  minNumeric: replaceNotRead,
  minSpecial: replaceNotRead,
  keepers: replaceNotRead,
};

/**
 * pulumi:providers:docker. The bridge's DiffConfig (pulumi-terraform-bridge
 * pkg/tfbridge/provider.go, configDiffer) turns a config change into a replacement only
 * where the provider's SchemaInfo sets ForcesProviderReplace, and pulumi-docker's
 * provider/resources.go sets it for nothing: `host`, `sshOpts` and `registryAuth` all
 * update the provider in place. The engine replaces it only when the program names the
 * property in replaceOnChanges.
 */
export const DOCKER_PROVIDER_INPUTS: SemanticsTable = {
  host: { effect: "update", read: "notRead" },
  sshOpts: { effect: "update", read: "notRead" },
  registryAuth: { effect: "update", read: "notRead" },
};

export const SEMANTICS_BY_TYPE: Readonly<Record<string, SemanticsTable>> = {
  "docker:index/container:Container": CONTAINER_INPUTS,
  "docker:index/network:Network": NETWORK_INPUTS,
  "docker:index/volume:Volume": VOLUME_INPUTS,
  "docker:index/remoteImage:RemoteImage": REMOTE_IMAGE_INPUTS,
  "command:remote:Command": REMOTE_COMMAND_INPUTS,
  "random:index/randomPassword:RandomPassword": RANDOM_PASSWORD_INPUTS,
  "pulumi:providers:docker": DOCKER_PROVIDER_INPUTS,
};

/** Top-level inputs that differ between two input objects (absent and null are equal). */
export function changedInputs(
  old: Readonly<Record<string, unknown>>,
  desired: Readonly<Record<string, unknown>>,
  same: (left: unknown, right: unknown) => boolean,
): string[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(desired)]);
  return [...keys].filter((key) => !same(old[key] ?? undefined, desired[key] ?? undefined)).sort();
}

export type PlannedChange = { readonly kind: "none" } | { readonly kind: "update"; readonly inputs: readonly string[] } | { readonly kind: "replace"; readonly because: readonly string[] };

/**
 * The engine's plan for one resource from the provider's diff: replace when a changed
 * input is ForceNew or named in replaceOnChanges (step_generator.go applyReplaceOnChanges:
 * a path covers every property under it), else update. A changed input the table does not
 * know throws: the applier must never guess.
 */
export function planChange(
  type: string,
  changed: readonly string[],
  replaceOnChanges: readonly string[],
): PlannedChange {
  if (changed.length === 0) return { kind: "none" };
  const table = SEMANTICS_BY_TYPE[type];
  if (table === undefined) throw new Error(`no provider semantics for ${type}`);
  const because: string[] = [];
  for (const input of changed) {
    const semantics = table[input];
    if (semantics === undefined) throw new Error(`${type}.${input}: not in the applier's provider semantics table (providerSemantics.ts)`);
    if (semantics.effect === "replace" || replaceOnChanges.includes(input) || replaceOnChanges.includes("*")) because.push(input);
  }
  return because.length > 0 ? { kind: "replace", because } : { kind: "update", inputs: changed };
}
