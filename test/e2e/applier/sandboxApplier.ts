import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { NO_OPTIONS, type ResourceOptionsSeen, captureResourceOptions, resourceKey } from "../../support/resourceOptions";
import { containerHandler } from "./container";
import { imageBuildHandler, networkHandler, volumeHandler } from "./dockerResources";
import type { AppliedState, DesiredResource, HandlerContext, ResourceHandler } from "./handler";
import { stepFailure } from "./failures";
import { htpasswdBcrypt, randomPasswordHandler } from "./randomPassword";
import { remoteCommandHandler } from "./remoteCommand";
import { parseRegistryAuth, remoteImageHandler } from "./remoteImage";
import { openSshExecutor } from "./sshSession";
import { type ApplierState, loadState, saveState } from "./stateFile";
import { changedInputs, planChange } from "./providerSemantics";
import {
  type ApplierCounters,
  type BcryptHasher,
  type DockerEngine,
  type DockerRunnerFactory,
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
  /** Health polling interval of Create's `wait` (unit tests shorten it). */
  readonly healthPollIntervalMs?: number;
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
  /** type::name of resources replaced in this run (for replaceWith). */
  private readonly replacedThisRun = new Set<string>();
  /** type::name of resources deleted ahead of a dependency's delete-before-replace. */
  private readonly deletedAsDependent = new Set<string>();
  private readonly dependentDeletions = new Map<string, Promise<void>>();

  constructor(private readonly settings: SandboxApplierOptions) {
    this.state = loadState(settings.statePath);
    const ssh = settings.ssh ?? openSshExecutor();
    const context: HandlerContext = {
      docker: (engine) => {
        if (engine === undefined) throw new Error("docker resource without an explicit docker provider (the program must never fall back to DOCKER_HOST)");
        const run = settings.dockerRunnerFor(engine);
        return (args, environment, invocation) => {
          this.counters.dockerOperations += 1;
          return run(args, environment, invocation);
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
      ["docker:index/container:Container", containerHandler(context, settings.healthPollIntervalMs)],
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
    this.replacedThisRun.clear();
    this.deletedAsDependent.clear();
    this.dependentDeletions.clear();
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
      const failure = stepFailure(error, args.type, args.name);
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
    const isDocker = args.type.startsWith("docker:");
    const desired: DesiredResource = { ...base, engine: isDocker ? this.engineFor(args.provider, key) : undefined };
    handler.validate(desired);
    const applied = await this.reconcile(handler, this.state.resources[key], desired);
    if (applied.replaced) this.replacedThisRun.add(key);
    this.remember({ ...desired, id: applied.id, outputs: applied.outputs, engine: applied.engine ?? desired.engine, provider: isDocker ? args.provider : undefined });
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    const secret = new Set([...handler.secretOutputs, ...options.additionalSecretOutputs]);
    for (const [name, value] of Object.entries(applied.outputs)) state[name] = secret.has(name) ? wrapSecret(value) : value;
    return { id: applied.id, state };
  }

  /**
   * pulumi:providers:docker. The engine diffs a provider through its DiffConfig: the bridge
   * replaces nothing (providerSemantics.ts), so a changed config updates the provider in
   * place under the same id, unless replaceOnChanges names the property; a replacement gets
   * a new id and the old id's config stays usable for the old resources' deletes.
   */
  private registerProvider(args: pulumi.runtime.MockResourceArgs, base: Omit<ResourceRecord, "id" | "outputs" | "sequence">): pulumi.runtime.MockResourceResult {
    if (args.type !== DOCKER_PROVIDER) throw new Error(`provider ${args.type} is not supported by the test applier`);
    // The docker SDK sends non-string provider inputs JSON-encoded.
    const { host, sshOpts } = base.inputs;
    if (typeof host !== "string") throw new Error(`${args.name}: docker provider without a host`);
    const registryAuth = parseRegistryAuth(base.inputs.registryAuth, args.name);
    const engine: DockerEngine = { host, sshOpts: typeof sshOpts === "string" ? (JSON.parse(sshOpts) as string[]) : [], ...(registryAuth === undefined ? {} : { registryAuth }) };
    const key = resourceKey(args.type, args.name);
    const old = this.state.resources[key];
    const plan = old === undefined ? undefined : planChange(args.type, changedInputs(old.inputs, base.inputs, sameValue), base.options.replaceOnChanges);
    const id = old === undefined || plan?.kind === "replace" ? `${args.name}-${randomBytes(4).toString("hex")}` : old.id;
    if (plan?.kind === "replace") this.replacedThisRun.add(key);
    this.engines.set(id, engine);
    this.state.providerConfigs[id] = engine;
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

  /** Where a recorded docker resource's provider points now (its delete and read go there). */
  private currentEngine(record: ResourceRecord): DockerEngine | undefined {
    if (record.provider === undefined) return record.engine;
    return this.state.providerConfigs[record.provider.split("::").pop() ?? ""] ?? record.engine;
  }

  /**
   * The engine's decision for one resource (pulumi/pulumi pkg/resource/deploy/step_generator.go
   * diff()): replaced with a resource in its replaceWith list; otherwise the provider's diff
   * of old and new inputs, planned from providerSemantics.ts with replaceOnChanges applied.
   * A changed provider reference alone replaces nothing: the engine asks the new provider's
   * DiffConfig, which (docker bridge) never asks for it.
   */
  private async reconcile(
    handler: ResourceHandler,
    stored: ResourceRecord | undefined,
    desired: DesiredResource,
  ): Promise<AppliedState & { readonly replaced?: boolean; readonly engine?: DockerEngine }> {
    const resources = this.counters.resources;
    const old = stored === undefined || !this.refresh ? stored : await this.refreshed(handler, stored);
    if (!old) {
      const created = await handler.create(desired);
      const key = resourceKey(desired.type, desired.name);
      if (this.deletedAsDependent.delete(key)) {
        resources.replaced += 1;
        return { ...created, replaced: true };
      }
      resources.created += 1;
      return created;
    }
    const replaceWith = desired.options.replaceWith.some((urn) => this.replacedThisRun.has(keyOfUrn(urn)));
    const changed = changedInputs(old.inputs, desired.inputs, sameValue);
    const plan = replaceWith ? { kind: "replace" as const, because: ["replaceWith"] } : planChange(desired.type, changed, desired.options.replaceOnChanges);
    if (plan.kind !== "none") {
      this.counters.changes.push(`${desired.name}: ${plan.kind} [${(plan.kind === "replace" ? plan.because : plan.inputs).join(", ")}]`);
    }
    if (plan.kind === "none") {
      resources.unchanged += 1;
      // A same step still moves the state to the new provider reference; nothing moves on the hosts.
      return { id: old.id, outputs: old.outputs, engine: old.engine };
    }
    if (plan.kind === "update") {
      const current = { ...old, engine: this.currentEngine(old) };
      const updated = handler.update ? await handler.update(current, desired, changed) : { id: old.id, outputs: old.outputs };
      resources.updated += 1;
      return { ...updated, engine: old.engine };
    }
    resources.replaced += 1;
    if (desired.options.deleteBeforeReplace || handler.deleteBeforeReplaceByDefault) {
      await this.deleteDependentsFirst(old);
      await this.deleteOne(old, "replaced");
      return { ...(await handler.create(desired)), replaced: true };
    }
    const created = await handler.create(desired);
    // Create-before-delete: the old copy goes in the delete phase after the program ends.
    this.state.pendingDeletes.push(old);
    saveState(this.settings.statePath, this.state);
    return { ...created, replaced: true };
  }

  /**
   * A delete-before-replace deletes, first, everything in state that depends on the old
   * resource: its inputs take the replaced one's outputs, so the engine replaces them too
   * and must remove them before their dependency (step_generator.go
   * calculateDependentReplacements). They are created again when they register.
   */
  private async deleteDependentsFirst(old: ResourceRecord): Promise<void> {
    const target = resourceKey(old.type, old.name);
    const dependents = Object.values(this.state.resources).filter((record) => record.options.dependencies.map(keyOfUrn).includes(target));
    for (const dependent of dependents.sort((left, right) => right.sequence - left.sequence)) {
      const key = resourceKey(dependent.type, dependent.name);
      // Two replacements can share a dependent (web-view is on both networks): delete it once.
      let deletion = this.dependentDeletions.get(key);
      if (deletion === undefined) {
        deletion = (async () => {
          await this.deleteDependentsFirst(dependent);
          await this.deleteOne(dependent, "replaced");
          this.deletedAsDependent.add(key);
        })();
        this.dependentDeletions.set(key, deletion);
      }
      await deletion;
    }
  }

  /** `up --refresh`: the record as the provider's Read leaves it; undefined when gone. */
  private async refreshed(handler: ResourceHandler, record: ResourceRecord): Promise<ResourceRecord | undefined> {
    if (handler.read === undefined) return record;
    const inputs = await handler.read({ ...record, engine: this.currentEngine(record) });
    if (inputs === undefined) {
      delete this.state.resources[resourceKey(record.type, record.name)];
      saveState(this.settings.statePath, this.state);
      return undefined;
    }
    return { ...record, inputs };
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
      await handler.delete({ ...record, engine: this.currentEngine(record) });
      if (reason === "deleted") this.counters.resources.deleted += 1;
    }
    const key = resourceKey(record.type, record.name);
    if (this.state.resources[key] === record) delete this.state.resources[key];
    this.state.pendingDeletes = this.state.pendingDeletes.filter((pending) => pending !== record);
    saveState(this.settings.statePath, this.state);
  }
}

/** "urn:pulumi:<stack>::<project>::<parent types$>type::<name>" -> the applier's type::name key. */
export function keyOfUrn(urn: string): string {
  const parts = urn.split("::");
  const name = parts[parts.length - 1] ?? "";
  const type = (parts[parts.length - 2] ?? "").split("$").pop() ?? "";
  return resourceKey(type, name);
}
