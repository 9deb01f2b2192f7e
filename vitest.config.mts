import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Pulumi's runtime settings are process-global; each file gets its own process.
    pool: "forks",
    fileParallelism: false,
  },
});
