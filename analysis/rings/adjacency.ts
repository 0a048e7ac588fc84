// The account graph's adjacency as arrays, built once per graph. graphology walks a node's
// edges with for…in over an object keyed by neighbour, collecting the keys again at every
// call (≈ 0.5 µs an edge on the medium world), and detection walks every node's edges many
// times: each account's score and explanation, each group's cohesion, each peeling round.
// Slots keep graphology's order (they are taken from graph.forEachEdge(node)), so sums
// over them are the same sums, term by term. A change to the graph (graphology's events)
// drops the cached copy.
import type { AccountGraph } from '../graph/build';
import type { EdgeAttributes } from '../graph/types';
import { memoByObject } from '../memo';
import { column } from '../columns';

export interface Adjacency {
  /** Node ids in graph order; a node's number is its place here. */
  ids: readonly string[];
  index: ReadonlyMap<string, number>;
  /** Edges of node u are the slots offsets[u] .. offsets[u + 1], in graph.forEachEdge(u) order. */
  offsets: Int32Array;
  /** The other end of each slot's edge. */
  neighbour: Int32Array;
  /** 1 when u is the edge's source (the `source === u` of a forEachEdge callback). */
  source: Uint8Array;
  /** Each slot's edge attributes (the graph's own objects). */
  attrs: readonly EdgeAttributes[];
}

const cache = new WeakMap<AccountGraph, Adjacency>();

const CHANGES = ['nodeAdded', 'edgeAdded', 'nodeDropped', 'edgeDropped', 'cleared', 'edgesCleared', 'edgeAttributesUpdated', 'eachEdgeAttributesUpdated'] as const;

export function adjacency(graph: AccountGraph): Adjacency {
  const known = cache.get(graph);
  if (known) return known;
  const ids = graph.nodes();
  const index = new Map<string, number>();
  ids.forEach((id, u) => {
    index.set(id, u);
  });
  const offsets = column(Int32Array, ids.length + 1);
  const slots = 2 * graph.size;
  const neighbour = column(Int32Array, slots);
  const source = column(Uint8Array, slots);
  const attrs: EdgeAttributes[] = [];
  let k = 0;
  ids.forEach((id, u) => {
    graph.forEachEdge(id, (_e, attr, s, t) => {
      neighbour[k] = index.get(s === id ? t : s) as number;
      source[k++] = s === id ? 1 : 0;
      attrs.push(attr);
    });
    offsets[u + 1] = k;
  });
  const adj: Adjacency = { ids, index, offsets, neighbour: neighbour.subarray(0, k), source: source.subarray(0, k), attrs };
  cache.set(graph, adj);
  const drop = () => {
    cache.delete(graph);
    for (const event of CHANGES) graph.removeListener(event, drop);
  };
  for (const event of CHANGES) graph.on(event, drop);
  return adj;
}

/** Stamps per node, reused across calls on one adjacency (a Set of members per group before). */
export interface NodeMarks {
  mark: Float64Array;
  stamp: number;
}

const marksOf = memoByObject((adj: Adjacency): NodeMarks => ({ mark: column(Float64Array, adj.ids.length), stamp: 0 }));

/**
 * Marks `members` (ids; those not in the graph are skipped) with a fresh stamp: `mark[u] ===
 * stamp` tells membership until the next markNodes on the same adjacency.
 */
export function markNodes(adj: Adjacency, members: Iterable<string>): { mark: Float64Array; stamp: number } {
  const m = marksOf(adj);
  const stamp = ++m.stamp;
  for (const id of members) {
    const u = adj.index.get(id);
    if (u !== undefined) m.mark[u] = stamp;
  }
  return { mark: m.mark, stamp };
}

/**
 * graph/communities splitConnected on the adjacency: the connected parts of the subgraph
 * `members` induce, each in breadth-first order from its first member, neighbours in slot
 * order (for an undirected graph graphology's forEachNeighbor order). Members must be nodes.
 */
export function connectedParts(adj: Adjacency, members: readonly string[]): string[][] {
  const { mark, stamp } = markNodes(adj, members);
  const seen = new Set<number>();
  const out: string[][] = [];
  for (const start of members) {
    const s = adj.index.get(start);
    if (s === undefined) throw new Error(`connectedParts: ${start} is not a node of the graph`);
    if (seen.has(s)) continue;
    seen.add(s);
    const part = [s];
    for (let i = 0; i < part.length; i++) {
      for (let k = adj.offsets[part[i]]; k < adj.offsets[part[i] + 1]; k++) {
        const v = adj.neighbour[k];
        if (mark[v] === stamp && !seen.has(v)) {
          seen.add(v);
          part.push(v);
        }
      }
    }
    out.push(part.map((u) => adj.ids[u]));
  }
  return out;
}
