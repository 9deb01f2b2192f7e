/**
 * For renderers: a value that config validation would have refused reached a renderer,
 * which is a bug in the program, not a config problem. Same rules, so the two agree.
 */
export function assertValue(label: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new Error(`${label}: ${problems.join("; ")} (renderer invariant: config validation refuses this value)`);
  }
}
