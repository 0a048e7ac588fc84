// Detection throughput and memory on simulator worlds: the graph build, the whole
// pure pipeline (graph, Louvain, ring scoring, account scores, links) and the retained
// heap per graph edge (DESIGN.md §8: a window's graph must fit one worker).
// `npm run bench -- detect`; alone: `node --expose-gc --import tsx bench/detect.ts [small,medium]`.
// Enrichment is done first (not timed here; bench/nlp.ts measures it).
// Peers: our Louvain alone against python-igraph (multilevel, Leiden) and networkx on the
// same weighted graph in the same run (bench/peers/communities.py, issue 4 §5).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import louvain from 'graphology-communities-louvain';
import modularity from 'graphology-metrics/graph/modularity';
import { buildAccountGraph, type AccountGraph } from '../analysis/graph/build';
import { DEFAULT_COMMUNITY_OPTIONS, seededRng } from '../analysis/graph/communities';
import { detectRings } from '../analysis/rings/detect';
import { generateWorld, type Scale } from '../sim/world';
import { worldInput } from '../test/analysis/rings/world-input';
import type { BenchRow } from './types';

const PEER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'communities.py');
const LOUVAIN_REPS = 3;

interface PeerResult {
  name: string;
  version: string;
  seconds: number;
  modularity: number;
  communities: number;
}

interface PeerReport {
  nodes: number;
  edges: number;
  ours: { modularity: number; communities: number } | null;
  peers: PeerResult[];
  errors: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Our Louvain alone, with the pipeline's settings (detectCommunities: weight attribute,
 * resolution, seeded rng), median of LOUVAIN_REPS runs; the same seed gives the same
 * partition each run. Modularity is recomputed by graphology-metrics (weighted).
 */
function timeOurLouvain(graph: AccountGraph) {
  const { resolution, seed } = DEFAULT_COMMUNITY_OPTIONS;
  const times: number[] = [];
  let mapping: Record<string, number> = {};
  for (let i = 0; i < LOUVAIN_REPS; i++) {
    const t = performance.now();
    mapping = louvain(graph, { getEdgeWeight: 'weight', resolution, rng: seededRng(seed) });
    times.push(performance.now() - t);
  }
  const q = modularity(graph, { getNodeCommunity: (n) => mapping[n], getEdgeWeight: 'weight', resolution });
  return { ms: median(times), modularity: q, mapping, communities: new Set(Object.values(mapping)).size };
}

/** Writes the graph as "source target weight" lines (integer node indices) and our membership, runs the peer script. */
function runPeers(graph: AccountGraph, mapping: Record<string, number>): PeerReport | { error: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-peers-'));
  try {
    const index = new Map<string, number>();
    const membership: number[] = [];
    graph.forEachNode((n) => {
      index.set(n, index.size);
      membership.push(mapping[n]);
    });
    const lines: string[] = [];
    graph.forEachEdge((_e, a, src, tgt) => {
      lines.push(`${index.get(src)} ${index.get(tgt)} ${a.weight}`);
    });
    const edgeFile = path.join(dir, 'edges.txt');
    const memberFile = path.join(dir, 'membership.txt');
    writeFileSync(edgeFile, lines.join('\n') + '\n');
    writeFileSync(memberFile, membership.join('\n') + '\n');
    const res = spawnSync('python3', [PEER_SCRIPT, edgeFile, memberFile], { encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 16 * 2 ** 20 });
    if (res.error) return { error: `python3 failed: ${res.error.message}` };
    if (res.status !== 0) return { error: `peer script exited ${res.status}: ${(res.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
    const last = res.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as PeerReport;
    } catch {
      return { error: `peer script printed no JSON: ${last.slice(0, 200)}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number, digits = 4) => x.toFixed(digits);

function gc(): boolean {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) return false;
  g();
  g();
  return true;
}

type RowFn = (kase: string, value: number, unit: string, note?: string) => void;

/**
 * Louvain (ours) vs python-igraph multilevel / Leiden and networkx Louvain on one graph.
 * Goals (issue 4 §5): our time ≤ igraph multilevel's; our modularity ≥ 0.99 × Leiden's.
 * Without Python peers, our rows stay and one note row says why.
 */
function peerRows(graph: AccountGraph, row: RowFn): void {
  const ours = timeOurLouvain(graph);
  row('louvain ours (graphology)', Math.round(ours.ms * 10) / 10, 'ms', `modularity ${fmt(ours.modularity)} (graphology-metrics), ${ours.communities} communities, median of ${LOUVAIN_REPS}`);
  const rep = runPeers(graph, ours.mapping);
  if ('error' in rep || rep.peers.length === 0) {
    const why = 'error' in rep ? rep.error : rep.errors.join('; ');
    row('louvain peers', 0, '-', `peers not run: ${why}`);
    return;
  }
  // Our partition scored by igraph too, so every modularity below is measured one way.
  const oursQ = rep.ours?.modularity ?? ours.modularity;
  for (const p of rep.peers) {
    row(p.name, Math.round(p.seconds * 1000 * 10) / 10, 'ms', `modularity ${fmt(p.modularity)}, ${p.communities} communities, v${p.version}${p.name.startsWith('igraph') ? ', median of 3' : ', 1 run'}`);
  }
  const multi = rep.peers.find((p) => p.name === 'igraph community_multilevel');
  const leiden = rep.peers.find((p) => p.name === 'igraph community_leiden');
  if (multi) {
    const r = ours.ms / (multi.seconds * 1000);
    row('louvain time ours / igraph multilevel', Math.round(r * 100) / 100, '×', `${fmt(r, 3)} (${fmt(ours.ms, 1)} vs ${fmt(multi.seconds * 1000, 1)} ms); goal ≤ 1: ${r <= 1 ? 'met' : 'NOT met'}`);
  }
  if (leiden) {
    const r = oursQ / leiden.modularity;
    row('louvain modularity ours / igraph Leiden', Math.round(r * 1000) / 1000, '×', `${fmt(r)} (ours ${fmt(oursQ)} vs ${fmt(leiden.modularity)}, both by igraph); goal ≥ 0.99: ${r >= 0.99 ? 'met' : 'NOT met'}`);
  }
  if (rep.errors.length > 0) row('louvain peers', rep.peers.length, 'peers', rep.errors.join('; '));
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

    if (edges > 0) peerRows(built.graph, (kase, value, unit, note) => row(kase, value, unit, note));

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
