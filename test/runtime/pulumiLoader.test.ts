import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../support/program";

// The Pulumi CLI cannot be installed here, but the part of it that compiles and loads a
// TypeScript program ships in @pulumi/pulumi. This proves `pulumi up` can load index.ts
// with the TypeScript and ts-node it would pick (a type error or an unsupported compiler
// option would fail here, not only on the operator's machine).
test("index.ts loads through Pulumi's own TypeScript runner", () => {
  const output = execFileSync("node", [join(ROOT, "test", "runtime", "loadLikePulumi.cjs"), "rex"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(output).toMatch(/^ts 6\./m);
  expect(output).toMatch(/registered \d+ resources: .*command:remote:Command.*docker:index\/container:Container/);
}, 150_000);
