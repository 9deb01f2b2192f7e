import type { SemanticsTable } from "./providerSemantics";

/**
 * The state after a refresh: each input Read sets takes the read value ("computed" ones
 * only when the program sets them, since Optional+Computed never diffs when left out),
 * everything else keeps the stored input. `planned` is the stored inputs with the
 * schema's defaults filled in, which Read reports like any other value.
 */
export function refreshedInputs(
  table: SemanticsTable,
  stored: Readonly<Record<string, unknown>>,
  read: Readonly<Record<string, unknown>>,
  planned: Readonly<Record<string, unknown>> = stored,
): Record<string, unknown> {
  const state: Record<string, unknown> = { ...stored };
  for (const [input, semantics] of Object.entries(table)) {
    if (semantics.read === "notRead" || !(input in read)) continue;
    if (semantics.read === "computed" && stored[input] === undefined) continue;
    const value = read[input];
    // Read left the planned value (schema defaults included) as it was: keep the stored input.
    state[input] = sameJson(value, planned[input]) ? stored[input] : value;
  }
  return state;
}

/**
 * Terraform's SDKv2 does not diff an unset Optional attribute against the zero value Read
 * stored ("", 0, false, empty list or map), and `user`/`working_dir` suppress "" diffs too.
 */
function sameJson(left: unknown, right: unknown): boolean {
  if (isZero(left) && isZero(right)) return true;
  return JSON.stringify(sortKeys(left)) === JSON.stringify(sortKeys(right));
}

function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, inner]) => [key, sortKeys(inner)]));
  }
  return value;
}
