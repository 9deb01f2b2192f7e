/** JSON quoting shows control characters and quotes unambiguously in a one-line message. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
