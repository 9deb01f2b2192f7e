import * as pulumi from "@pulumi/pulumi";
import { containerHandler, imageBuildHandler, networkHandler, remoteImageHandler, volumeHandler } from "./dockerResources";
import type { AppliedState, DesiredResource, HandlerContext, ResourceHandler } from "./handler";
import { stepFailure } from "./failures";
import { htpasswdBcrypt, randomPasswordHandler } from "./randomPassword";
import { remoteCommandHandler } from "./remoteCommand";
import { NO_OPTIONS, captureResourceOptions, resourceKey } from "./resourceOptions";
import { openSshExecutor } from "./sshSession";
import { type ApplierState, loadState, saveState } from "./stateFile";
import {
  type ApplierCounters,
  type BcryptHasher,
  type DockerEngine,
  type DockerRunnerFactory,
  type ResourceOptionsSeen,
  type ResourceRecord,
  type SshExecutor,
  emptyCounters,
} from "./types";
import { sameValue, unwrapSecrets, wrapSecret } from "./values";

export interface SandboxApplierOptions {
  /** JSON state file (created 0600; holds secrets in plaintext). */
  readonly statePath: string;
  /** How to reach the engine a docker provider names. */
  readonly dockerRunnerFor: DockerRunnerFactory;
  /** Remote command transport; default: the local OpenSSH client. */
  readonly ssh?: SshExecutor;
  /** Default: htpasswd -B reading the password on stdin. */
  readonly bcrypt?: BcryptHasher;
  readonly log?: (message: string) => void;
  /** mustRun polling interval (unit tests shorten it). */
  readonly runningCheckIntervalMs?: number;
}

const DOCKER_PROVIDER = "pulumi:providers:docker";

/**
 * TEST-ONLY stand-in for the Pulumi engine and the four providers this program uses,
 * limited to the fields it sets. As Pulumi mocks it really applies each registered
 * resource (docker CLI, ssh, local randomness), diffs against the previous run's state
 * file, and deletes what a run no longer declares in `finish()`.
 */
export class SandboxApplier implements pulumi.runtime.Mocks {
  private state: ApplierState;
  private counters: ApplierCounters = emptyCounters();
  private readonly registered = new Set<string>();
  private readonly options = new Map<string, ResourceOptionsSeen>();
  private readonly engines = new Map<string, DockerEngine>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly failures: Error[] = [];
  private readonly handlers: ReadonlyMap<string, ResourceHandler>;

  private refresh = false;

  constructor(private readonly settings: SandboxApplierOptions) {
    this.state = loadState(settings.statePath);
    const ssh = settings.ssh ?? openSshExecutor();
    const context: HandlerContext = {
      docker: (engine) => {
        if (engine === undefined) throw new Error("docker resource without an explicit docker provider (the program must never fall back to DOCKER_HOST)");
        const run = settings.dockerRunnerFor(engine);
        return (args, environment) => {
          this.counters.dockerOperations += 1;
          return run(args, environment);
        };
      },
      ssh: (session) => {
        this.counters.sshSessions += 1;
        return ssh(session);
      },
      countCommand: (step) => {
        this.counters.commands[step] += 1;
      },
      log: (message) => settings.log?.(message),
    };
    this.handlers = new Map<string, ResourceHandler>([
      ["docker:index/network:Network", networkHandler(context)],
      ["docker:index/volume:Volume", volumeHandler(context)],
      ["docker:index/remoteImage:RemoteImage", remoteImageHandler(context)],
      ["docker:index/image:Image", imageBuildHandler()],
      ["docker:index/container:Container", containerHandler(context, settings.runningCheckIntervalMs)],
      ["command:remote:Command", remoteCommandHandler(context)],
      ["random:index/randomPassword:RandomPassword", randomPasswordHandler(settings.bcrypt ?? htpasswdBcrypt())],
    ]);
  }

  /** Starts a run: reloads the state file, resets counters, installs itself as Pulumi's mocks. */
  /** `refresh: true` models `pulumi up --refresh` (readable resources are re-read first). */
  async install(project: string, stack: string, run: { readonly refresh?: boolean } = {}): Promise<void> {
    this.refresh = run.refresh ?? false;
    this.state = loadState(this.settings.statePath);
    this.counters = emptyCounters();
    this.registered.clear();
    this.options.clear();
    this.failures.length = 0;
    await pulumi.runtime.setMocks(this, project, stack, false);
    captureResourceOptions((key, options) => this.options.set(key, options));
  }

  call(args: pulumi.runtime.MockCallArgs): never {
    throw new Error(`function ${args.token} is not supported by the test applier`);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    const step = this.step(args).catch((error: unknown) => {
      const failure = stepFailure(error);
      this.failures.push(failure);
      throw failure;
    });
    this.inFlight.add(step);
    void step.finally(() => this.inFlight.delete(step)).catch(() => undefined);
    return step;
  }

  /** Waits for every registration, deletes what this run dropped, saves; throws on any failure. */
  async finish(): Promise<ApplierCounters> {
    await this.settle();
    if (this.failures.length > 0) {
      // Pulumi stops at the first failed step: nothing is deleted after a failure.
      throw new Error(`apply failed (${this.failures.length}):\n${this.failures.map((failure) => failure.message).join("\n")}`);
    }
    const dropped = Object.entries(this.state.resources)
      .filter(([key]) => !this.registered.has(key))
      .map(([, record]) => record);
    await this.deleteAll([...this.state.pendingDeletes, ...dropped], "deleted");
    return this.snapshot();
  }

  /** Deletes everything in the state file, newest first, keeping retainOnDelete resources. */
  async destroy(): Promise<ApplierCounters> {
    this.state = loadState(this.settings.statePath);
    this.counters = emptyCounters();
    await this.deleteAll([...this.state.pendingDeletes, ...Object.values(this.state.resources)], "deleted");
    return this.snapshot();
  }

  snapshot(): ApplierCounters {
    return structuredClone(this.counters);
  }

  /** The recorded state of one resource (after finish), for assertions. */
  record(type: string, name: string): ResourceRecord | undefined {
    return this.state.resources[resourceKey(type, name)];
  }

  private async settle(): Promise<void> {
    // The SDK keeps an RPC count for registrations still waiting on their inputs.
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    do {
      await runtime.waitForRPCs?.();
      await Promise.allSettled([...this.inFlight]);
    } while (this.inFlight.size > 0);
  }

  private async step(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    const key = resourceKey(args.type, args.name);
    if (this.registered.has(key)) throw new Error(`${key} registered twice`);
    this.registered.add(key);
    const options = this.options.get(key) ?? NO_OPTIONS;
    const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const base = { type: args.type, name: args.name, inputs, options, engine: undefined };

    if (!args.custom) {
      this.remember({ ...base, id: "", outputs: {} });
      return { id: undefined, state: {} };
    }
    if (args.type.startsWith("pulumi:providers:")) return this.registerProvider(args, base);

    const handler = this.handlers.get(args.type);
    if (!handler) throw new Error(`${args.type} is not supported by the test applier`);
    const desired: DesiredResource = { ...base, engine: args.type.startsWith("docker:") ? this.engineFor(args.provider, key) : undefined };
    handler.validate(desired);
    const applied = await this.reconcile(handler, this.state.resources[key], desired);
    this.remember({ ...desired, ...applied });
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    const secret = new Set([...handler.secretOutputs, ...options.additionalSecretOutputs]);
    for (const [name, value] of Object.entries(applied.outputs)) state[name] = secret.has(name) ? wrapSecret(value) : value;
    return { id: applied.id, state };
  }

  private registerProvider(args: pulumi.runtime.MockResourceArgs, base: Omit<ResourceRecord, "id" | "outputs" | "sequence">): pulumi.runtime.MockResourceResult {
    if (args.type !== DOCKER_PROVIDER) throw new Error(`provider ${args.type} is not supported by the test applier`);
    // The docker SDK sends non-string provider inputs JSON-encoded.
    const { host, sshOpts } = base.inputs;
    if (typeof host !== "string") throw new Error(`${args.name}: docker provider without a host`);
    const engine: DockerEngine = { host, sshOpts: typeof sshOpts === "string" ? (JSON.parse(sshOpts) as string[]) : [] };
    const id = `${args.name}-engine`;
    this.engines.set(id, engine);
    this.remember({ ...base, id, outputs: {}, engine });
    return { id, state: args.inputs };
  }

  /** Provider references are "<urn>::<id>". */
  private engineFor(providerReference: string | undefined, key: string): DockerEngine {
    const id = providerReference?.split("::").pop() ?? "";
    const engine = this.engines.get(id);
    if (!engine) throw new Error(`${key}: no explicit docker provider (got "${providerReference ?? ""}")`);
    return engine;
  }

  /** The engine's decision for one resource: create, nothing, update or replace. */
  private async reconcile(handler: ResourceHandler, old: ResourceRecord | undefined, desired: DesiredResource): Promise<AppliedState> {
    const resources = this.counters.resources;
    if (!old) {
      const created = await handler.create(desired);
      resources.created += 1;
      return created;
    }
    const sameEngine = sameValue(old.engine, desired.engine);
    const drifted = this.refresh && handler.isDriftedOnRefresh !== undefined && (await handler.isDriftedOnRefresh(old));
    if (sameEngine && sameValue(old.inputs, desired.inputs) && !drifted) {
      resources.unchanged += 1;
      return { id: old.id, outputs: old.outputs };
    }
    if (handler.update && sameEngine && !handler.requiresReplacement(old, desired)) {
      const updated = await handler.update(old, desired);
      resources.updated += 1;
      return updated;
    }
    resources.replaced += 1;
    if (desired.options.deleteBeforeReplace || handler.deleteBeforeReplaceByDefault) {
      await this.deleteOne(old, "replaced");
      return handler.create(desired);
    }
    const created = await handler.create(desired);
    // Create-before-delete: the old copy goes in the delete phase after the program ends.
    this.state.pendingDeletes.push(old);
    saveState(this.settings.statePath, this.state);
    return created;
  }

  private remember(record: Omit<ResourceRecord, "sequence">): void {
    const sequence = this.state.nextSequence;
    this.state.nextSequence += 1;
    this.state.resources[resourceKey(record.type, record.name)] = { ...record, sequence };
    saveState(this.settings.statePath, this.state);
  }

  /** Newest first, so dependents go before what they depend on. */
  private async deleteAll(records: readonly ResourceRecord[], reason: "deleted"): Promise<void> {
    for (const record of [...records].sort((left, right) => right.sequence - left.sequence)) await this.deleteOne(record, reason);
  }

  private async deleteOne(record: ResourceRecord, reason: "deleted" | "replaced"): Promise<void> {
    const handler = this.handlers.get(record.type);
    if (handler && record.options.retainOnDelete) {
      this.counters.resources.retained += 1;
    } else if (handler) {
      await handler.delete(record);
      if (reason === "deleted") this.counters.resources.deleted += 1;
    }
    const key = resourceKey(record.type, record.name);
    if (this.state.resources[key] === record) delete this.state.resources[key];
    this.state.pendingDeletes = this.state.pendingDeletes.filter((pending) => pending !== record);
    saveState(this.settings.statePath, this.state);
  }
}
