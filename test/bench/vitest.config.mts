import { defineConfig } from "vitest/config";
import e2e from "../e2e/applier/vitest.config.mts";

// npm run bench: the e2e settings, but only the benchmark files.
export default defineConfig({ ...e2e, test: { ...e2e.test, include: ["test/bench/**/*.bench.ts"] } });
