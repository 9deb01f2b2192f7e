import { PRODUCTION_TIERS, TIERS, type TierName } from "../config/types";
import type { PolicyResource } from "./resource";

export interface TierVerdict {
  readonly tier: TierName | undefined;
  readonly production: boolean;
  /** Where the tier came from, for violation messages. */
  readonly source: string;
}

/** The stack segment of `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

function knownTier(value: string | undefined): TierName | undefined {
  return value !== undefined && (TIERS as readonly string[]).includes(value) ? (value as TierName) : undefined;
}

function tierPrefixOf(name: string): TierName | undefined {
  return TIERS.find((tier) => name.startsWith(`${tier}-`));
}

/**
 * Which tier a resource is deployed for. The stack name (the URN's stack segment, what
 * `pulumi.getStack()` returns in the program) comes first: the operator chose it and no
 * edit to the program can change it. For a stack not named after a tier (config allows
 * that for the sandbox tier, e.g. stack `demo-bob` with `tier: sandbox`) the `<tier>-`
 * prefix the program puts on every logical name decides. Anything else counts as
 * production, so an unrecognised stack gets the strictest checks rather than none.
 */
export function tierOf(resource: PolicyResource): TierVerdict {
  const stack = stackOfUrn(resource.urn);
  const fromStack = knownTier(stack);
  if (fromStack !== undefined) return verdict(fromStack, `stack ${fromStack}`);
  const fromName = tierPrefixOf(resource.name);
  if (fromName !== undefined) return verdict(fromName, `stack ${stack ?? "?"}, name prefix ${fromName}-`);
  return { tier: undefined, production: true, source: `stack ${stack ?? "?"} is not a known tier; treated as production` };
}

function verdict(tier: TierName, source: string): TierVerdict {
  return { tier, production: PRODUCTION_TIERS.includes(tier), source };
}
