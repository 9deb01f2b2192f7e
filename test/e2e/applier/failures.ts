/**
 * Every step failure is collected and thrown by `finish()`. The Pulumi SDK also rejects
 * the failed resource's output promises, which nobody awaits under mocks (the real
 * language host would); this prefix lets the test runner drop those echoes, and only those.
 */
export const STEP_FAILURE_PREFIX = "test applier: ";

/**
 * The engine reports a failed step as a diagnostic bound to the resource's URN
 * (pulumi/pulumi sdk/go/common/diag/errors.go GetResourceOperationFailedError), which the
 * CLI prints under "<type> (<name>)": the operator sees which resource failed even when
 * the provider's own message does not say (e.g. "container failed to be in healthy state").
 */
export function stepFailure(error: unknown, type: string, name: string): Error {
  return new Error(`${STEP_FAILURE_PREFIX}${type} (${name}): ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * True for the SDK's "failed to register new resource ...: test applier: ..." rejections,
 * also when a dependent's input serialisation re-throws them ("error serializing property").
 */
export function isEchoOfReportedFailure(error: { readonly message?: string }): boolean {
  return /^(error serializing property [^:]*: )?failed to register new resource [\s\S]*?: test applier: /.test(error.message ?? "");
}
