/**
 * The bench's environment, checked before anything starts: a bad value fails at once with
 * the rule it broke instead of half-starting a sandbox and failing in the tear-down.
 *
 *   CM_BENCH_PREFIX  sandbox prefix (default cmbench)
 *   CM_BENCH_RUNS    measured iterations, the table shows their median, min and max (default 5)
 *   CM_BENCH_KEEP=1  leave the sandbox running afterwards (default: removed, as it was started)
 */
export interface BenchSettings {
  readonly prefix: string;
  readonly runs: number;
  readonly keepSandbox: boolean;
}

/** sandbox/up.sh's own rule for CM_SANDBOX_PREFIX (container, network and volume names). */
export const SANDBOX_PREFIX_RULE = /^[a-z0-9][a-z0-9_-]{0,30}$/;
/** The default sandbox (`npm run sandbox:up`, the demo): the bench's tear-down would remove it. */
const DEFAULT_SANDBOX_PREFIX = "cmsbx";
const MAX_RUNS = 50;

export function benchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const prefix = env.CM_BENCH_PREFIX ?? "cmbench";
  if (!SANDBOX_PREFIX_RULE.test(prefix)) {
    throw new Error(
      `CM_BENCH_PREFIX=${JSON.stringify(prefix)} breaks sandbox/up.sh's rule ${SANDBOX_PREFIX_RULE}: ` +
        "lower-case letters, digits, '_' and '-', starting with a letter or digit, at most 31 characters",
    );
  }
  if (prefix === DEFAULT_SANDBOX_PREFIX) {
    throw new Error(`CM_BENCH_PREFIX=${prefix} is the default sandbox's prefix; the bench resets and removes its sandbox, so use another (e.g. cmbench)`);
  }
  const runsText = env.CM_BENCH_RUNS ?? "5";
  const runs = /^[0-9]+$/.test(runsText) ? Number(runsText) : Number.NaN;
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    throw new Error(`CM_BENCH_RUNS=${JSON.stringify(runsText)} must be a whole number from 1 to ${MAX_RUNS}`);
  }
  const keep = env.CM_BENCH_KEEP ?? "0";
  if (keep !== "0" && keep !== "1") throw new Error(`CM_BENCH_KEEP=${JSON.stringify(keep)} must be 0 or 1`);
  return { prefix, runs, keepSandbox: keep === "1" };
}
