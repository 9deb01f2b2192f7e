import type { ResourceOptionsSeen } from "../../support/resourceOptions";
import type { DockerEngine, DockerRunner, ProcessResult, ResourceRecord, SshSession } from "./types";

/** A resource as this run of the program declares it. */
export interface DesiredResource {
  readonly type: string;
  readonly name: string;
  /** Secret wrappers removed. */
  readonly inputs: Record<string, unknown>;
  readonly options: ResourceOptionsSeen;
  readonly engine: DockerEngine | undefined;
}

export interface AppliedState {
  readonly id: string;
  /** Provider-computed values (the applier merges the inputs back in). */
  readonly outputs: Record<string, unknown>;
}

/** What handlers may do to the outside world; the applier counts every call. */
export interface HandlerContext {
  docker(engine: DockerEngine | undefined): DockerRunner;
  ssh(session: SshSession): Promise<ProcessResult>;
  countCommand(step: "create" | "update" | "delete"): void;
  log(message: string): void;
}

/**
 * The provider's side of one resource type. Which input changes replace and which update
 * is not the handler's choice: providerSemantics.ts holds it, per input, read from the
 * provider's source, and the applier plans from that table.
 */
export interface ResourceHandler {
  /** Throws on inputs the applier can't map, before anything runs. */
  validate(desired: DesiredResource): void;
  create(desired: DesiredResource): Promise<AppliedState>;
  /**
   * The provider's Update, given the changed inputs the table marks "update" or "ignored".
   * Absent: Update touches nothing live (the engine still stores the new inputs).
   */
  update?(old: ResourceRecord, desired: DesiredResource, changed: readonly string[]): Promise<AppliedState>;
  /** `record.engine` is where the record's provider points NOW (see ResourceRecord.provider). */
  delete(record: ResourceRecord): Promise<void>;
  /** Fixed physical names can't exist twice, so those replacements delete first. */
  readonly deleteBeforeReplaceByDefault: boolean;
  /**
   * The provider's Read on `pulumi up --refresh`: the inputs as Read leaves them in state,
   * or undefined when the resource is gone. Absent for providers with no Read (remote
   * commands, as in @pulumi/command).
   */
  read?(record: ResourceRecord): Promise<Record<string, unknown> | undefined>;
  /** Outputs the provider's schema marks secret. */
  readonly secretOutputs: readonly string[];
}

/** Runs docker and throws, with stderr, unless it exits 0. */
export async function dockerOk(docker: DockerRunner, args: readonly string[], environment?: Readonly<Record<string, string>>): Promise<string> {
  const result = await docker(args, environment);
  if (result.exitCode !== 0) {
    throw new Error(`docker ${args.slice(0, 2).join(" ")} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout.trim();
}

/** docker's "not found" on inspect/rm, which deletes treat as already done. */
export function isNotFound(result: ProcessResult): boolean {
  return result.exitCode !== 0 && /no such|not found/i.test(result.stderr);
}
