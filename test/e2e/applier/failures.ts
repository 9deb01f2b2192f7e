/**
 * Every step failure is collected and thrown by `finish()`. The Pulumi SDK also rejects
 * the failed resource's output promises, which nobody awaits under mocks (the real
 * language host would); this prefix lets the test runner drop those echoes, and only those.
 */
export const STEP_FAILURE_PREFIX = "test applier: ";

export function stepFailure(error: unknown): Error {
  return new Error(`${STEP_FAILURE_PREFIX}${error instanceof Error ? error.message : String(error)}`);
}

/** True for the SDK's "failed to register new resource ...: test applier: ..." rejections. */
export function isEchoOfReportedFailure(error: { readonly message?: string }): boolean {
  return /^failed to register new resource [\s\S]*?: test applier: /.test(error.message ?? "");
}
