import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type ImportEdge, importCycles, importGraph, reachable, runtimePackages } from "../support/importGraph";

/**
 * Imports flow one way: config -> render -> components -> the program (index.ts), with
 * drift and the scripts beside the program. A layer may import itself and the layers named
 * for it, nothing else. dependency-cruiser would say the same, but needs Node 22.
 */
const LAYERS = {
  /** Reading and validating stack settings, and the rule for every kind of value. */
  config: [],
  /** Pure text and data built from config: nginx files, scripts, firewall rules, container specs. */
  render: ["config"],
  /** Pulumi resources wired from rendered data. */
  components: ["config", "render"],
  /** The Pulumi program. */
  program: ["config", "render", "components"],
  /** The drift checker runs without the engine: no component, so no Pulumi provider is loaded. */
  drift: ["config", "render"],
  scripts: ["config", "render", "components", "drift"],
  /** The policy pack judges what reaches the engine; it reads tier names only. */
  policy: ["config"],
  /** The test-only engine and providers model: the e2e tests' harness. */
  applier: ["config", "render", "tests"],
  /** Whole-program runs on sandbox hosts: the only tests that drive the applier. */
  e2e: ["config", "render", "components", "program", "drift", "scripts", "policy", "applier", "tests"],
  /** The benchmark converges the sandbox through the applier, as the e2e tests do. */
  bench: ["config", "render", "components", "program", "drift", "scripts", "policy", "applier", "e2e", "tests"],
  /** Unit, renderer and firewall tests: anything but the applier. */
  tests: ["config", "render", "components", "program", "drift", "scripts", "policy"],
  /** Tool configuration (vitest). */
  tooling: ["tests"],
} as const satisfies Record<string, readonly string[]>;
type Layer = keyof typeof LAYERS;

function layerOf(file: string): Layer | undefined {
  if (file === "index.ts") return "program";
  if (/(^|\/)[^/]+\.config\.mts$/.test(file)) return "tooling";
  if (file.startsWith("test/e2e/applier/")) return "applier";
  if (file.startsWith("test/e2e/")) return "e2e";
  if (file.startsWith("test/bench/")) return "bench";
  if (file.startsWith("test/")) return "tests";
  const folder = file.split("/")[0] ?? "";
  return (["config", "render", "components", "drift", "scripts", "policy"] as const).find((layer) => layer === folder);
}

/** Imports from one layer into another that is not named for it. */
function wrongWay(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((edge) => edge.local)
    .filter((edge) => {
      const from = layerOf(edge.from);
      const to = layerOf(edge.to);
      return from !== undefined && to !== undefined && from !== to && !(LAYERS[from] as readonly string[]).includes(to);
    })
    .map((edge) => `${edge.from} (${layerOf(edge.from)}) imports ${edge.to} (${layerOf(edge.to)})`);
}

const ROOT = join(__dirname, "..", "..");
const graph = importGraph(ROOT);

describe("imports flow one way", () => {
  test("every source file belongs to a layer and every relative import names a file", () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.files.filter((file) => layerOf(file) === undefined)).toEqual([]);
    expect(graph.unresolved).toEqual([]);
  });

  test("no import goes up a layer or sideways into another", () => {
    expect(wrongWay(graph.edges)).toEqual([]);
  });

  test("no import cycle, type-only imports included", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  test("the drift checker loads no Pulumi provider package", () => {
    const loaded = runtimePackages(graph, "scripts/drift.ts");
    const providers = [...loaded].filter(([name]) => /^@pulumi\/(docker|command|random)(\/|$)/.test(name)).map(([name, by]) => `${name} (loaded by ${by})`);
    expect(providers).toEqual([]);
  });

  test("every module of the program is used by the program: none exists only for tests (such as a barrel)", () => {
    const entries = graph.files.filter((file) => file === "index.ts" || file === "policy/index.ts" || file.startsWith("scripts/"));
    const used = reachable(graph, entries);
    const production = new Set<Layer>(["config", "render", "components", "drift", "policy"]);
    expect(graph.files.filter((file) => production.has(layerOf(file) as Layer) && !used.has(file))).toEqual([]);
  });
});

describe("the checks can fail", () => {
  test("an upward import, a cycle, a provider load and an unused module are each found", () => {
    const edges = [
      { from: "config/a.ts", to: "render/b.ts", local: true, typeOnly: true },
      { from: "render/b.ts", to: "config/a.ts", local: true, typeOnly: false },
      { from: "render/b.ts", to: "@pulumi/docker", local: false, typeOnly: false },
    ];
    const toy = { files: ["config/a.ts", "render/b.ts", "render/unused.ts"], edges, unresolved: [] };
    expect(wrongWay(edges)).toEqual(["config/a.ts (config) imports render/b.ts (render)"]);
    expect(importCycles(toy)).toEqual([["config/a.ts", "render/b.ts"]]);
    expect([...runtimePackages(toy, "render/b.ts").keys()]).toEqual(["@pulumi/docker"]);
    // The type-only edge loads nothing: starting from config, the provider is not reached.
    expect([...runtimePackages(toy, "config/a.ts").keys()]).toEqual([]);
    expect([...reachable(toy, ["config/a.ts"])].sort()).toEqual(["config/a.ts", "render/b.ts"]);
  });
});
