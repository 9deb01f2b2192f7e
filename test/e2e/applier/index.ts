/**
 * TEST-ONLY: applies the program for real under Pulumi mocks (see sandboxApplier.ts).
 *
 *   const docker = dockerOverSsh({ address, port, user: "root", identityFile, hostKey });
 *   const applier = new SandboxApplier({ statePath, dockerRunnerFor: () => docker.run });
 *   await applier.install(PROJECT, "rex");              // setMocks + option capture
 *   pulumi.runtime.setAllConfig(config, secretKeys);
 *   vi.resetModules();
 *   const program = await import("../../index");
 *   const counters = await applier.finish();            // waits, deletes dropped, throws on failure
 *   // ...resolve program outputs, assert; run again: changeCount(counters) === 0
 *   await applier.destroy();
 *   docker.close();
 *
 * Run e2e files with `npx vitest run -c test/e2e/applier/vitest.config.mts <filter>`.
 */
export { SandboxApplier, type SandboxApplierOptions } from "./sandboxApplier";
export { dockerOverSsh, localDockerRunner, type SshDockerTarget } from "./transports";
export { openSshExecutor } from "./sshSession";
export { htpasswdBcrypt } from "./randomPassword";
export { isEchoOfReportedFailure } from "./failures";
export {
  changeCount,
  type ApplierCounters,
  type DockerEngine,
  type DockerRunner,
  type DockerRunnerFactory,
  type ResourceRecord,
  type SshExecutor,
  type SshSession,
} from "./types";
