import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "../../../vitest.config.mts";

// The project config excludes test/e2e/** from `vitest run`; this one keeps its settings
// but runs only e2e files: `npx vitest run -c test/e2e/applier/vitest.config.mts applier`.
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL("../../..", import.meta.url)),
  test: {
    ...base.test,
    include: ["test/e2e/**/*.test.ts"],
    exclude: ["node_modules/**"],
    // Failed steps are reported by SandboxApplier.finish(); drop only the SDK's echoes of
    // them (same pattern as isEchoOfReportedFailure in failures.ts, inlined so this config
    // loads without compiling TypeScript).
    onUnhandledError: (error) => !/^(error serializing property [^:]*: )?failed to register new resource [\s\S]*?: test applier: /.test(error.message ?? ""),
  },
});
