import * as pulumi from "@pulumi/pulumi";

/** True for Pulumi's wire form of a secret: { <sig key>: <secret sig>, value }. */
export function isSecretWrapper(value: unknown): value is { readonly value: unknown } {
  return isPlainObject(value) && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Inputs as a provider receives them: secret wrappers removed at every depth. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

export function wrapSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/** JSON with sorted keys and absent/null fields dropped, so equal inputs compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined && inner !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, normalise(inner)]);
    return Object.fromEntries(entries);
  }
  return value;
}

export function sameValue(left: unknown, right: unknown): boolean {
  return canonicalJson(left) === canonicalJson(right);
}
