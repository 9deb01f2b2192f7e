import { randomBytes } from "node:crypto";
import type { AppliedState, DesiredResource, HandlerContext, ResourceHandler } from "./handler";
import { InputReader } from "./inputReader";
import type { ResourceRecord, SshConnection } from "./types";

type LifecycleStep = "create" | "update" | "delete";
type Logging = "stdout" | "stderr" | "stdoutAndStderr" | "none";

/** command:remote:Command inputs, with @pulumi/command's defaults filled in. */
export interface RemoteCommandSpec {
  readonly connection: SshConnection;
  readonly create: string | undefined;
  readonly update: string | undefined;
  readonly delete: string | undefined;
  readonly stdin: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly triggers: unknown;
  readonly logging: Logging;
  readonly addPreviousOutputInEnv: boolean;
}

export function readRemoteCommand(inputs: Record<string, unknown>, what = "command"): RemoteCommandSpec {
  const reader = InputReader.of(what, inputs);
  const connectionReader = reader.optionalObject("connection") ?? InputReader.of(`${what}.connection`, {});
  const connection: SshConnection = {
    host: connectionReader.string("host"),
    port: connectionReader.optionalNumber("port") ?? 22,
    user: connectionReader.optionalString("user") ?? "root",
    privateKey: connectionReader.optionalString("privateKey"),
    hostKey: connectionReader.optionalString("hostKey"),
    dialErrorLimit: connectionReader.optionalNumber("dialErrorLimit") ?? 10,
    perDialTimeout: connectionReader.optionalNumber("perDialTimeout") ?? 15,
  };
  connectionReader.finish();
  const logging = reader.optionalString("logging") ?? "stdoutAndStderr";
  if (!["stdout", "stderr", "stdoutAndStderr", "none"].includes(logging)) throw new Error(`${what}.logging: unknown value ${logging}`);
  const spec: RemoteCommandSpec = {
    connection,
    create: reader.optionalString("create"),
    update: reader.optionalString("update"),
    delete: reader.optionalString("delete"),
    stdin: reader.optionalString("stdin"),
    environment: reader.stringMap("environment"),
    triggers: reader.opaque("triggers"),
    logging: logging as Logging,
    addPreviousOutputInEnv: reader.optionalBoolean("addPreviousOutputInEnv") ?? true,
  };
  reader.finish();
  return spec;
}

interface PreviousOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command provider's lifecycle: create runs `create`; an update runs `update`, or
 * `create` when there is none; a `triggers` change replaces (the applier orders the old
 * delete per deleteBeforeReplace); delete runs the old `delete` over the old connection.
 */
export function remoteCommandHandler(context: HandlerContext): ResourceHandler {
  async function run(step: LifecycleStep, name: string, spec: RemoteCommandSpec, command: string, previous?: PreviousOutput): Promise<PreviousOutput> {
    await refuseEnvironmentSshdDrops(context, spec);
    const environment: Record<string, string> = { ...spec.environment };
    // Sent optimistically: a refusal only warns (sshd drops the variable) and the command runs.
    if (spec.addPreviousOutputInEnv && previous) {
      if (previous.stdout !== "") environment.PULUMI_COMMAND_STDOUT = previous.stdout;
      if (previous.stderr !== "") environment.PULUMI_COMMAND_STDERR = previous.stderr;
    }
    context.countCommand(step);
    const result = await context.ssh({ connection: spec.connection, command, stdin: spec.stdin === "" ? undefined : spec.stdin, environment });
    logOutput(context, `${name} ${step}`, spec.logging, result.stdout, result.stderr);
    if (result.exitCode !== 0) {
      // Like the provider: the error carries the command's combined output.
      throw new Error(
        `${name}: ${step} failed: Process exited with status ${result.exitCode}: running ${JSON.stringify(abbreviate(command))}:\n${result.stdout}${result.stderr}`,
      );
    }
    // The provider trims exactly one trailing newline from each stream.
    return { stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr.replace(/\n$/, "") };
  }

  return {
    deleteBeforeReplaceByDefault: false,
    secretOutputs: [],
    validate: (desired) => void readRemoteCommand(desired.inputs, desired.name),
    async create(desired: DesiredResource): Promise<AppliedState> {
      const spec = readRemoteCommand(desired.inputs, desired.name);
      const output = spec.create === undefined ? { stdout: "", stderr: "" } : await run("create", desired.name, spec, spec.create);
      return { id: `${desired.name}${randomBytes(4).toString("hex")}`, outputs: { ...output } };
    },
    async update(old: ResourceRecord, desired: DesiredResource): Promise<AppliedState> {
      const spec = readRemoteCommand(desired.inputs, desired.name);
      const previous = previousOutput(old);
      const command = spec.update ?? spec.create;
      const output = command === undefined ? previous : await run("update", desired.name, spec, command, previous);
      return { id: old.id, outputs: { ...output } };
    },
    async delete(record: ResourceRecord): Promise<void> {
      const spec = readRemoteCommand(record.inputs, record.name);
      if (spec.delete !== undefined) await run("delete", record.name, spec, spec.delete, previousOutput(record));
    },
  };
}

function previousOutput(record: ResourceRecord): PreviousOutput {
  const { stdout, stderr } = record.outputs;
  return { stdout: typeof stdout === "string" ? stdout : "", stderr: typeof stderr === "string" ? stderr : "" };
}

function logOutput(context: HandlerContext, label: string, logging: Logging, stdout: string, stderr: string): void {
  if ((logging === "stdout" || logging === "stdoutAndStderr") && stdout.trim() !== "") context.log(`${label} stdout: ${stdout.trim()}`);
  if ((logging === "stderr" || logging === "stdoutAndStderr") && stderr.trim() !== "") context.log(`${label} stderr: ${stderr.trim()}`);
}

/** Scripts are long; the first line is enough to say which one failed. */
function abbreviate(command: string): string {
  const firstLine = command.split("\n", 1)[0] ?? "";
  return firstLine.length < command.length ? `${firstLine.slice(0, 200)}...` : command;
}

/**
 * pulumi-command v1.2.1 remote/commandOutputs.go: every `environment` entry is an SSH "env"
 * request that sshd must confirm (session.Setenv), and a refusal aborts the command before
 * it runs ("could not set environment variable"). OpenSSH's client cannot tell a refusal
 * apart, so the applier asks the host which names its sshd accepts (`sshd -T`, AcceptEnv)
 * and fails the same way for any other.
 */
async function refuseEnvironmentSshdDrops(context: HandlerContext, spec: RemoteCommandSpec): Promise<void> {
  const names = Object.keys(spec.environment);
  if (names.length === 0) return;
  const probe = await context.ssh({ connection: spec.connection, command: "sshd -T 2>/dev/null | grep -i '^acceptenv ' || true", stdin: undefined, environment: {} });
  const patterns = probe.stdout
    .split("\n")
    .flatMap((line) => line.trim().split(/\s+/).slice(1))
    .filter((pattern) => pattern !== "");
  for (const name of names) {
    if (!patterns.some((pattern) => globMatches(pattern, name))) {
      throw new Error(`could not set environment variable "${name}": ssh: setenv failed (sshd accepts only: ${patterns.join(" ") || "nothing"}; see AcceptEnv)`);
    }
  }
}

/** sshd's AcceptEnv patterns: `*` and `?` wildcards. */
function globMatches(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return regex.test(name);
}
