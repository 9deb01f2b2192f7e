import { spawnSync } from "node:child_process";

export type EngineVerdict =
  | { readonly kind: "clean" }
  | { readonly kind: "drift"; readonly detail: string }
  | { readonly kind: "skipped"; readonly reason: string }
  | { readonly kind: "failed"; readonly reason: string };

/** Exit code of `pulumi preview --expect-no-changes` when changes were found (CLI >= 3.226.1). */
export const EXPECT_NO_CHANGES_EXIT = 7;

export function pulumiOnPath(): boolean {
  return spawnSync("pulumi", ["version"], { encoding: "utf8" }).status === 0;
}

/**
 * The engine's own check, which sees the Docker side (containers, networks, images):
 * refresh from the real engines, then require that nothing would change.
 */
export function engineCheck(stack: string): EngineVerdict {
  if (!pulumiOnPath()) {
    return { kind: "skipped", reason: "Pulumi CLI not found on PATH (install: https://www.pulumi.com/docs/install/); engine check not run" };
  }
  const result = spawnSync(
    "pulumi",
    ["preview", "--stack", stack, "--refresh", "--expect-no-changes", "--non-interactive", "--diff", "--suppress-progress"],
    { encoding: "utf8", timeout: 15 * 60 * 1000 },
  );
  if (result.status === 0) return { kind: "clean" };
  const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-15).join("\n");
  if (result.status === EXPECT_NO_CHANGES_EXIT) return { kind: "drift", detail: tail };
  return { kind: "failed", reason: `pulumi preview exited ${String(result.status)}: ${tail.split("\n").pop() ?? ""}` };
}
