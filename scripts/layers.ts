// The layering rule of the code (docs/architecture.md), checked over the TypeScript
// import graph: every source folder sits on a floor, a module imports only from its
// own folder or from folders on lower floors (never up, never sideways to a sibling
// on the same floor), and no modules import each other in a circle, type imports
// included (a circle of types is still a circle a reader has to untangle).
//
//   npx tsx scripts/layers.ts        prints the problems, exit code 1 when there are any
//
// Imports are read with the TypeScript parser (static imports, re-exports, `import()`
// with a literal); only relative specifiers are followed, packages are outside.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Lowest first. A folder may import folders on lower floors only; folders on one floor
 * (listed together) may not import each other.
 */
export const FLOORS: readonly (readonly string[])[] = [
  ['storage'],
  ['analysis', 'sim'],
  ['crawlers', 'importers'],
  // The configuration is assembled from the platforms' descriptors (crawlers/platforms/): one section each.
  ['config'],
  // Reports only render: they never read the store, so they sit below the queries that load their data.
  ['reports'],
  ['queries'],
  ['jobs'],
  ['server'],
  ['cli'],
];

/** Folders outside the floors: they use the code (tests, benchmarks, scripts) and nothing uses them. */
export const USERS: readonly string[] = ['test', 'bench', 'scripts', 'bin'];

/**
 * Circles known and owned elsewhere, each to be cut by its owner (the check fails once
 * one is gone, so the entry is removed with the fix). Both are type-only imports.
 */
export const KNOWN_CIRCLES: readonly { modules: readonly string[]; why: string }[] = [
];

const SKIP_DIRS = new Set(['node_modules', 'public', 'ferretdb', 'vendor']);

export interface ImportEdge {
  from: string;
  to: string;
  line: number;
}

export interface LayerProblem {
  kind: 'upward' | 'sideways' | 'circle' | 'unplaced';
  message: string;
}

/** Every `.ts` module under the floors' folders, as paths relative to `root`. */
export function sourceFiles(root: string, floors: readonly (readonly string[])[] = FLOORS): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(rel);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        out.push(rel);
      }
    }
  };
  for (const folder of floors.flat()) if (existsSync(path.join(root, folder))) walk(folder);
  return out.sort();
}

/** The relative imports of one module, resolved to module paths relative to `root`. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (spec: ts.Node | undefined) => {
    if (!spec || !ts.isStringLiteralLike(spec) || !spec.text.startsWith('.')) return;
    const to = resolve(root, path.posix.join(path.posix.dirname(file), spec.text));
    if (to) edges.push({ from: file, to, line: src.getLineAndCharacterOfPosition(spec.getStart(src)).line + 1 });
  };
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) add(n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) add(n.moduleReference.expression);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0]);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return edges;
}

function resolve(root: string, spec: string): string | null {
  const bare = spec.replace(/\.(m?js|ts)$/, '');
  for (const candidate of [`${bare}.ts`, `${bare}/index.ts`, spec]) {
    const p = path.join(root, candidate);
    if (existsSync(p) && statSync(p).isFile()) return path.posix.normalize(candidate);
  }
  return null;
}

/** The floor index of a module's top folder, or undefined for a folder not on any floor. */
function floorOf(file: string, floors: readonly (readonly string[])[]): number | undefined {
  const top = file.split('/')[0];
  const i = floors.findIndex((f) => f.includes(top));
  return i < 0 ? undefined : i;
}

/** Every breach of the floors and every import circle in the code under `root`. */
export function checkLayers(root: string, floors: readonly (readonly string[])[] = FLOORS, known: typeof KNOWN_CIRCLES = KNOWN_CIRCLES): LayerProblem[] {
  const problems: LayerProblem[] = [];
  const files = sourceFiles(root, floors);
  const placed = new Set([...floors.flat(), ...USERS]);
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'docs' || placed.has(e.name)) continue;
    const hasTs = sourceFiles(root, [[e.name]]).length > 0;
    if (hasTs) problems.push({ kind: 'unplaced', message: `${e.name}/ holds TypeScript but is on no floor: add it to FLOORS in scripts/layers.ts` });
  }
  const graph = new Map<string, ImportEdge[]>();
  for (const f of files) graph.set(f, importsOf(root, f));
  for (const edges of graph.values()) {
    for (const e of edges) {
      const a = e.from.split('/')[0];
      const b = e.to.split('/')[0];
      // Data files (package.json for the version) are not modules on a floor.
      if (a === b || !e.to.endsWith('.ts')) continue;
      const fa = floorOf(e.from, floors) as number;
      const fb = floorOf(e.to, floors);
      if (fb === undefined) {
        problems.push({ kind: 'upward', message: `${e.from}:${e.line} imports ${e.to}, which is outside the code's floors` });
      } else if (fb > fa) {
        problems.push({ kind: 'upward', message: `${e.from}:${e.line} imports ${e.to}: ${a}/ (floor ${fa}) may not import ${b}/ (floor ${fb}, higher)` });
      } else if (fb === fa) {
        problems.push({ kind: 'sideways', message: `${e.from}:${e.line} imports ${e.to}: ${a}/ and ${b}/ share floor ${fa} and may not import each other` });
      }
    }
  }
  const found = circles(graph);
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((m) => b.includes(m));
  for (const k of known) {
    if (!found.some((c) => sameSet(c, k.modules))) problems.push({ kind: 'circle', message: `known circle ${k.modules.join(' ↔ ')} is gone: remove it from KNOWN_CIRCLES` });
  }
  for (const circle of found) {
    if (known.some((k) => sameSet(circle, k.modules))) continue;
    problems.push({ kind: 'circle', message: `import circle of ${circle.length} modules: ${[...circle, circle[0]].join(' → ')}` });
  }
  return problems;
}

/** Strongly connected components with more than one module (or a module importing itself), each as one cycle path. */
export function circles(graph: Map<string, ImportEdge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const { to: w } of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (scc.length > 1 || selfLoop) out.push(cyclePath(graph, new Set(scc)));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return out;
}

/** One concrete cycle through a strongly connected set, starting at its first module (for a readable message). */
function cyclePath(graph: Map<string, ImportEdge[]>, scc: Set<string>): string[] {
  const start = [...scc].sort()[0];
  // Breadth-first from start back to start, inside the component: the shortest circle through it.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift() as string;
    for (const { to: w } of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(prev.get(cycle[0]) as string);
        return cycle;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  for (const p of problems) console.log(`${p.kind}: ${p.message}`);
  console.log(problems.length === 0 ? 'layers: no upward import, no import circle' : `layers: ${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
