// Detection throughput and memory on simulator worlds: the graph build, the whole
// pure pipeline (graph, Louvain, ring scoring, account scores, links) and the retained
// heap per graph edge (DESIGN.md §8: a window's graph must fit one worker).
// `npm run bench -- detect`; alone: `node --expose-gc --import tsx bench/detect.ts [small,medium]`.
// Enrichment is done first (not timed here; bench/nlp.ts measures it).
import { pathToFileURL } from 'node:url';
import { buildAccountGraph } from '../analysis/graph/build';
import { detectRings } from '../analysis/rings/detect';
import { generateWorld, type Scale } from '../sim/world';
import { worldInput } from '../test/rings/world-input';
import type { BenchRow } from './types';

function gc(): boolean {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) return false;
  g();
  g();
  return true;
}

export async function benchDetect(opts: { scales?: Scale[]; seed?: number } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const scale of opts.scales ?? ['small', 'medium']) {
    const world = generateWorld({ seed: opts.seed ?? 1, scale });
    const input = worldInput(world);
    const n = input.posts.length;
    const row = (kase: string, value: number, unit: string, note?: string) => rows.push({ suite: 'detect', case: `${kase} (${scale})`, n, value, unit, ...(note ? { note } : {}) });

    let t = performance.now();
    const built = buildAccountGraph(input.posts, input.accounts);
    const buildMs = performance.now() - t;
    const edges = built.graph.size;
    row('graph build', Math.round(buildMs), 'ms', `${edges} edges, ${built.graph.order} nodes, ${built.stats.candidatePairs} candidate pairs`);
    // Bytes per edge: the heap a copy of the finished graph (nodes, edges, attributes with
    // reasons and evidence post ids) retains, measured between forced collections.
    const exact = gc();
    const before = process.memoryUsage().heapUsed;
    const copy = built.graph.emptyCopy();
    built.graph.forEachEdge((_e, a, src, tgt) => {
      copy.addUndirectedEdge(src, tgt, { weight: a.weight, reasons: { ...a.reasons }, posts: [...a.posts] });
    });
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    if (edges > 0 && copy.size === edges) row('graph memory', Math.round(retained / edges), 'bytes/edge', exact ? 'retained heap of a deep copy of the graph after GC / edges (nodes and attributes included)' : 'no --expose-gc: approximate');

    t = performance.now();
    const res = detectRings(input);
    const ms = performance.now() - t;
    row('detect (pure pipeline)', Math.round(ms), 'ms', `${res.stats.rings} rings, modularity ${res.stats.modularity}`);
    row('detect throughput', Math.round((n / ms) * 1000), 'posts/s');
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const scales = (process.argv[2] ?? 'small,medium').split(',') as Scale[];
  for (const r of await benchDetect({ scales })) console.log(JSON.stringify(r));
}
