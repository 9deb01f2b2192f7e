import * as pulumi from "@pulumi/pulumi";

/** Resource options the engine sees but `MockResourceArgs` does not carry. */
export interface ResourceOptionsSeen {
  readonly deleteBeforeReplace: boolean;
  readonly retainOnDelete: boolean;
  readonly dependencies: readonly string[];
  readonly parent: string;
  readonly additionalSecretOutputs: readonly string[];
  /** Input paths whose change the engine turns into a replacement. */
  readonly replaceOnChanges: readonly string[];
  /** URNs: when one of them is replaced in this run, this resource is replaced too. */
  readonly replaceWith: readonly string[];
}

/** The RegisterResourceRequest getters read here (protobuf, untyped in the SDK). */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getReplaceonchangesList(): string[];
  getReplaceWithList(): string[];
}

type RegisterCallback = (error: unknown, response: unknown) => void;

interface RegisteringMonitor {
  registerResource(request: RegisterResourceRequest, callback: RegisterCallback): unknown;
}

export const NO_OPTIONS: ResourceOptionsSeen = {
  deleteBeforeReplace: false,
  retainOnDelete: false,
  dependencies: [],
  parent: "",
  additionalSecretOutputs: [],
  replaceOnChanges: [],
  replaceWith: [],
};

export function resourceKey(type: string, name: string): string {
  return `${type}::${name}`;
}

/**
 * MockResourceArgs carries no resource options, but the engine acts on them
 * (deleteBeforeReplace, retainOnDelete). Pulumi's mock monitor receives the full
 * RegisterResourceRequest, so wrap its registerResource and hand the options over
 * (keyed type::name) before the mock's newResource runs. Call after setMocks.
 */
export function captureResourceOptions(onOptions: (key: string, options: ResourceOptionsSeen) => void): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as RegisteringMonitor | undefined;
  if (monitor === undefined || typeof monitor.registerResource !== "function") {
    throw new Error("no Pulumi mock monitor: call pulumi.runtime.setMocks first");
  }
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    onOptions(resourceKey(request.getType(), request.getName()), {
      deleteBeforeReplace: request.getDeletebeforereplace(),
      retainOnDelete: request.getRetainondelete(),
      dependencies: request.getDependenciesList(),
      parent: request.getParent(),
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      replaceOnChanges: request.getReplaceonchangesList(),
      replaceWith: request.getReplaceWithList(),
    });
    return register(request, callback);
  };
}
