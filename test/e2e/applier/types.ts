/** Shared shapes of the test-only applier (see sandboxApplier.ts). */
import type { ResourceOptionsSeen } from "../../support/resourceOptions";

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One `registryAuth` entry of a docker provider, as its Configure keys it (remoteImage.ts). */
export interface RegistryCredential {
  /** The registry host[:port]: the entry's address without scheme or path. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/** The Docker engine a `pulumi:providers:docker` resource names. */
export interface DockerEngine {
  readonly host: string;
  readonly sshOpts: readonly string[];
  /** The provider's registryAuth: the only credentials its image pulls send. */
  readonly registryAuth?: readonly RegistryCredential[];
}

/** What one docker CLI invocation needs besides its arguments. */
export interface DockerInvocation {
  /**
   * A docker CLI config.json for this invocation only: the runner writes it (0600) into a
   * fresh private DOCKER_CONFIG directory where the CLI runs and removes it afterwards, so
   * the CLI sends exactly these registry credentials and never that side's own login.
   * Never on a command line.
   */
  readonly dockerConfig?: string;
}

/**
 * Runs `docker <args>` against one engine and reports the exit code instead of throwing.
 * `environment` goes into the docker CLI's own process environment, where `--env NAME`
 * (no value) picks it up: container env values never appear on a command line or disk.
 */
export type DockerRunner = (args: readonly string[], environment?: Readonly<Record<string, string>>, invocation?: DockerInvocation) => Promise<ProcessResult>;

/** Injected transport: how to reach the engine a provider names (fakes in unit tests). */
export type DockerRunnerFactory = (engine: DockerEngine) => DockerRunner;

/** @pulumi/command's `connection`, limited to the fields this program sets. */
export interface SshConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string | undefined;
  readonly hostKey: string | undefined;
  readonly dialErrorLimit: number;
  readonly perDialTimeout: number;
}

/** One SSH session running one command string, as the command provider opens it. */
export interface SshSession {
  readonly connection: SshConnection;
  readonly command: string;
  readonly stdin: string | undefined;
  /** Sent as SSH "env" requests; sshd drops names its AcceptEnv does not list. */
  readonly environment: Readonly<Record<string, string>>;
}

export type SshExecutor = (session: SshSession) => Promise<ProcessResult>;

/** Returns a bcrypt hash ("$2a$10$...") of the password without exposing it. */
export type BcryptHasher = (password: string) => Promise<string>;

/** One resource in the applier's state file (secrets in plaintext: keep the file 0600). */
export interface ResourceRecord {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  /** Inputs with secret wrappers removed, as the provider received them. */
  readonly inputs: Record<string, unknown>;
  /** Values the provider computed (not inputs). */
  readonly outputs: Record<string, unknown>;
  readonly options: ResourceOptionsSeen;
  /** Docker resources only: the engine they were created on (what the test inspects). */
  readonly engine: DockerEngine | undefined;
  /**
   * Docker resources only: the provider reference ("<urn>::<id>") in state. Deletes go
   * through that provider's CURRENT config, as the engine's do: a provider updated in place
   * sends them to its new host.
   */
  readonly provider?: string;
  /** Completion order across runs; deletes go in reverse. */
  readonly sequence: number;
}

export interface ResourceCounters {
  created: number;
  updated: number;
  replaced: number;
  deleted: number;
  /** Deletes skipped because of retainOnDelete. */
  retained: number;
  unchanged: number;
}

export interface ApplierCounters {
  readonly resources: ResourceCounters;
  /** Remote commands run, by lifecycle step. */
  readonly commands: { create: number; update: number; delete: number };
  /** SSH sessions opened for remote commands (the docker runner's own transport is not counted). */
  sshSessions: number;
  /** docker CLI invocations. */
  dockerOperations: number;
  /** The plan, as `pulumi preview` would show it: "<name>: update|replace [inputs]". */
  readonly changes: string[];
}

export function emptyCounters(): ApplierCounters {
  return {
    resources: { created: 0, updated: 0, replaced: 0, deleted: 0, retained: 0, unchanged: 0 },
    commands: { create: 0, update: 0, delete: 0 },
    sshSessions: 0,
    dockerOperations: 0,
    changes: [],
  };
}

/** The total number of resource changes (0 after a no-op apply). */
export function changeCount(counters: ApplierCounters): number {
  const { created, updated, replaced, deleted } = counters.resources;
  return created + updated + replaced + deleted;
}
