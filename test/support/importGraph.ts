import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import * as ts from "typescript";

/** One import as written in a file: the module it names and whether only types come from it. */
export interface ImportEdge {
  readonly from: string;
  /** Project-relative path of the file imported, or the package name for a bare specifier. */
  readonly to: string;
  readonly local: boolean;
  /** `import type`, or only `type` names: erased at compile time, loads nothing. */
  readonly typeOnly: boolean;
}

const SOURCE = /\.(ts|mts|cts)$/;
/** Folders that hold no source of ours (dependencies, build output, local state). */
const SKIPPED = new Set(["node_modules", ".git", "bin", ".pulumi", ".state"]);

/** Every TypeScript file of the project, as posix paths relative to root. */
export function sourceFiles(root: string, folder = root): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (SKIPPED.has(name)) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(root, path));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) files.push(relative(root, path).split(sep).join("/"));
  }
  return files;
}

function typeOnlyImport(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // a side-effect import loads the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((element) => element.isTypeOnly);
}

/** Module specifiers of one file: static imports and re-exports, `import()` and `require()`. */
function specifiersOf(path: string): { readonly specifier: string; readonly typeOnly: boolean }[] {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: typeOnlyImport(node) });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require");
      const [first] = node.arguments;
      if (loads && first !== undefined && ts.isStringLiteralLike(first)) found.push({ specifier: first.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names, as TypeScript (node10) resolves it, or undefined. */
function resolveLocal(root: string, from: string, specifier: string): string | undefined {
  const base = join(root, dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.mts`, `${base}.cts`, join(base, "index.ts")];
  const hit = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  return hit === undefined ? undefined : relative(root, hit).split(sep).join("/");
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Relative imports that name no file. */
  readonly unresolved: readonly string[];
}

export function importGraph(root: string): ImportGraph {
  const files = sourceFiles(root);
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const from of files) {
    for (const { specifier, typeOnly } of specifiersOf(join(root, from))) {
      if (!specifier.startsWith(".")) {
        edges.push({ from, to: specifier, local: false, typeOnly });
        continue;
      }
      const to = resolveLocal(root, from, specifier);
      if (to === undefined) unresolved.push(`${from}: ${specifier}`);
      else edges.push({ from, to, local: true, typeOnly });
    }
  }
  return { files, edges, unresolved };
}

/** Every import cycle among local files (Tarjan's strongly connected components), each sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) if (edge.local) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (next.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const file of graph.files) if (!index.has(file)) connect(file);
  return cycles;
}

/** Local files the entry files import, directly or through others (type-only imports too). */
export function reachable(graph: ImportGraph, entries: readonly string[]): Set<string> {
  const seen = new Set(entries);
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const edge of graph.edges) {
      if (edge.from === file && edge.local && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}

/** Packages a file loads at run time, through its own and its local imports' non-type imports. */
export function runtimePackages(graph: ImportGraph, start: string): Map<string, string> {
  const loadedBy = new Map<string, string>();
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const edge of graph.edges) {
      if (edge.from !== file || edge.typeOnly) continue;
      if (!edge.local) {
        if (!loadedBy.has(edge.to)) loadedBy.set(edge.to, file);
      } else if (!seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return loadedBy;
}
