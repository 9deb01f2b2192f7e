import { InputReader, UnsupportedInputError } from "./inputReader";
import { shellJoin } from "./shellQuote";

/** What `docker` must run to create one docker:index/container:Container. */
export interface ContainerPlan {
  readonly name: string;
  /** `docker create ...` arguments; env as bare `--env NAME`, values in `environment`. */
  readonly createArgs: readonly string[];
  /** Container env values, handed to the docker CLI's process environment. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * `docker network connect ...` for every networksAdvanced entry, run before start. The
   * provider creates the container on the default `bridge` network (network_mode's default),
   * disconnects it from `bridge` and connects each entry (resource_docker_container_funcs.go
   * Create); the entries are a Terraform set, so their order is the set's, not the program's.
   */
  readonly networkConnects: readonly (readonly string[])[];
  readonly mustRun: boolean;
  /** `wait`: Create polls the health status until healthy, for `waitTimeoutSeconds` (default 60). */
  readonly wait: boolean;
  readonly waitTimeoutSeconds: number;
  /** Delete stops with this timeout (default 0: SIGKILL at once), then force-removes. */
  readonly destroyGraceSeconds: number;
}

/**
 * Maps the container inputs this program sets to docker CLI arguments. Every other input
 * field throws, so a program change can't be silently ignored.
 */
export function containerPlan(inputs: Record<string, unknown>, what = "container"): ContainerPlan {
  const reader = InputReader.of(what, inputs);
  const name = reader.string("name");
  const image = reader.string("image");
  const command = reader.stringList("command");
  const envs = reader.stringList("envs");
  const flags: string[] = [];

  const networks = reader.objectList("networksAdvanced").map((network) => {
    const networkName = network.string("name");
    const aliases = network.stringList("aliases");
    network.finish();
    return { networkName, aliases };
  });
  const networkConnects = networks.map(({ networkName, aliases }) => [
    "network", "connect", ...aliases.flatMap((alias) => ["--alias", alias]), networkName, name,
  ]);

  for (const port of reader.objectList("ports")) flags.push("--publish", publishSpec(port));
  const health = reader.optionalObject("healthcheck");
  if (health) flags.push(...healthFlags(health));

  const restart = reader.optionalString("restart");
  if (restart !== undefined) flags.push("--restart", restart);
  const logDriver = reader.optionalString("logDriver");
  if (logDriver !== undefined) flags.push("--log-driver", logDriver);
  for (const [key, value] of Object.entries(reader.stringMap("logOpts")).sort()) flags.push("--log-opt", `${key}=${value}`);
  // The provider takes megabytes; -1 means unlimited swap.
  const memory = reader.optionalNumber("memory");
  if (memory !== undefined) flags.push("--memory", `${memory}m`);
  const memorySwap = reader.optionalNumber("memorySwap");
  if (memorySwap !== undefined) flags.push("--memory-swap", memorySwap === -1 ? "-1" : `${memorySwap}m`);
  for (const option of reader.stringList("securityOpts")) flags.push("--security-opt", option);
  const capabilities = reader.optionalObject("capabilities");
  if (capabilities) {
    for (const cap of capabilities.stringList("drops")) flags.push("--cap-drop", cap);
    for (const cap of capabilities.stringList("adds")) flags.push("--cap-add", cap);
    capabilities.finish();
  }
  if (reader.optionalBoolean("readOnly") === true) flags.push("--read-only");
  for (const [path, options] of Object.entries(reader.stringMap("tmpfs")).sort()) {
    flags.push("--tmpfs", options === "" ? path : `${path}:${options}`);
  }
  const user = reader.optionalString("user");
  if (user !== undefined) flags.push("--user", user);
  for (const volume of reader.objectList("volumes")) flags.push("--volume", volumeSpec(volume));
  const mustRun = reader.optionalBoolean("mustRun") ?? true;
  const wait = reader.optionalBoolean("wait") ?? false;
  const waitTimeoutSeconds = reader.optionalNumber("waitTimeout") ?? 60;
  const destroyGraceSeconds = reader.optionalNumber("destroyGraceSeconds") ?? 0;
  reader.finish();

  const environment = containerEnvironment(envs, what);
  const envFlags = Object.keys(environment).flatMap((key) => ["--env", key]);
  return {
    name,
    createArgs: ["create", "--name", name, ...flags, ...envFlags, image, ...command],
    environment,
    networkConnects,
    mustRun,
    wait,
    waitTimeoutSeconds,
    destroyGraceSeconds,
  };
}

function publishSpec(port: InputReader): string {
  const internal = port.optionalNumber("internal");
  if (internal === undefined) throw new UnsupportedInputError("ports[].internal is required");
  const external = port.optionalNumber("external");
  const ip = port.optionalString("ip");
  const protocol = port.optionalString("protocol") ?? "tcp";
  port.finish();
  const host = ip === undefined ? "" : `${ip.includes(":") ? `[${ip}]` : ip}:`;
  const hostPort = external === undefined ? "" : String(external);
  return host === "" && hostPort === "" ? `${internal}/${protocol}` : `${host}${hostPort}:${internal}/${protocol}`;
}

/**
 * The provider stores the test in exec form (["CMD", ...argv]); the CLI only takes a shell
 * string, so the argv is quoted for /bin/sh -c and runs the same program with the same args.
 */
function healthFlags(health: InputReader): string[] {
  const [kind, ...rest] = health.stringList("tests");
  const flags: string[] = [];
  if (kind === "NONE") flags.push("--no-healthcheck");
  else if (kind === "CMD" && rest.length > 0) flags.push("--health-cmd", shellJoin(rest));
  else if (kind === "CMD-SHELL" && rest.length === 1 && rest[0] !== undefined) flags.push("--health-cmd", rest[0]);
  else throw new UnsupportedInputError(`healthcheck.tests must start with CMD, CMD-SHELL or NONE: ${JSON.stringify([kind, ...rest])}`);
  const durations = { interval: "--health-interval", timeout: "--health-timeout", startPeriod: "--health-start-period" } as const;
  for (const [field, flag] of Object.entries(durations)) {
    const value = health.optionalString(field);
    if (value !== undefined) flags.push(flag, value);
  }
  const retries = health.optionalNumber("retries");
  if (retries !== undefined) flags.push("--health-retries", String(retries));
  health.finish();
  return flags;
}

function volumeSpec(volume: InputReader): string {
  const volumeName = volume.string("volumeName");
  const containerPath = volume.string("containerPath");
  const readOnly = volume.optionalBoolean("readOnly") === true;
  volume.finish();
  return `${volumeName}:${containerPath}${readOnly ? ":ro" : ""}`;
}

/** "NAME=value" entries as a map; values are never echoed in errors. */
function containerEnvironment(envs: readonly string[], what: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const entry of envs) {
    const separator = entry.indexOf("=");
    const name = separator < 0 ? entry : entry.slice(0, separator);
    if (separator < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UnsupportedInputError(`${what}.envs: "${name}" is not NAME=value`);
    if (name in environment) throw new UnsupportedInputError(`${what}.envs: ${name} is set twice`);
    // The ssh transport passes env as lines; say which variable, never its value.
    if (/[\r\n\0]/.test(entry)) throw new UnsupportedInputError(`${what}.envs: ${name} contains a newline or NUL, which the applier cannot pass`);
    environment[name] = entry.slice(separator + 1);
  }
  return environment;
}
