import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { POLICIES } from "../../policy/policies";
import type { PolicyResource } from "../../policy/resource";
import { PROJECT, type RecordedResource, isSecretInput, unwrapSecret } from "./program";

/** A violation as the engine would print it: which policy, on which resource, and why. */
export interface Reported {
  readonly policy: string;
  readonly urn: string;
  readonly message: string;
}

/**
 * Inputs as @pulumi/policy hands them to a validation: secrets "fully unpacked into
 * plain-old-JSON" (deserializeProperty in @pulumi/policy 1.21.0 deserialize.js, called with
 * proxySecrets false by the analyze RPC).
 */
export function unwrapSecretsDeep(value: unknown): unknown {
  if (isSecretInput(value)) return unwrapSecretsDeep(unwrapSecret(value));
  if (Array.isArray(value)) return value.map(unwrapSecretsDeep);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined).map(([key, item]) => [key, unwrapSecretsDeep(item)]));
  }
  return value;
}

/**
 * The URN the engine gives a resource of this stack. Mocks do not report the parent chain
 * of the type segment; the policies read only the stack segment and the logical name.
 */
export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

export function asPolicyResource(stack: string, recorded: RecordedResource): PolicyResource {
  return {
    type: recorded.type,
    name: recorded.name,
    urn: urnOf(stack, recorded.type, recorded.name),
    props: unwrapSecretsDeep(recorded.inputs) as Record<string, unknown>,
  };
}

function validationArgs(resource: PolicyResource): ResourceValidationArgs {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: { ...resource.props },
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable is not expected here: ${reason ?? ""}`);
    },
  };
}

/** Runs every validation of the given policies over one resource, as the analyze RPC does. */
export async function runPolicies(resource: PolicyResource, policies: readonly ResourceValidationPolicy[] = POLICIES): Promise<Reported[]> {
  const reported: Reported[] = [];
  for (const policy of policies) {
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    for (const validate of validations) {
      await validate(validationArgs(resource), (message) => reported.push({ policy: policy.name, urn: resource.urn, message }));
    }
  }
  return reported;
}
