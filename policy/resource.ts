/**
 * What a policy sees of one resource: the inputs the engine hands the analyzer (after the
 * provider's Check, secrets unwrapped), its type, logical name and URN. The same shape
 * serves the policy pack at preview time and the tests, which feed it what the program
 * registers under Pulumi's mocks.
 */
export interface PolicyResource {
  readonly type: string;
  /** Logical name, e.g. `rex-api-server`. */
  readonly name: string;
  /** `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
  readonly urn: string;
  readonly props: Readonly<Record<string, unknown>>;
}

export const TYPES = {
  container: "docker:index/container:Container",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  builtImage: "docker:index/image:Image",
  remoteCommand: "command:remote:Command",
  copyToRemote: "command:remote:CopyToRemote",
} as const;

export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
