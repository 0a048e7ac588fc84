// Sub-communities of one community: Louvain again on the subgraph its members induce.
// Modularity has a resolution limit (Fortunato & Barthélemy 2007): in a large graph, a
// small dense group (a 7-account ring) whose few edges lead into a big, loosely knit
// cluster is merged into it, because splitting it off gains less than the null model's
// expectation. Measured against the induced subgraph alone the null model shrinks, and
// the small group separates again. Connected parts only, like the first level; cost is
// linear in the community's edges.
import Graph from 'graphology';
import louvain from 'graphology-communities-louvain';
import type { AccountGraph } from './build';
import { connectedPartition, seededRng } from './communities';

export interface SubCommunityOptions {
  resolution: number;
  seed: number;
}

/** Induced subgraph of `members` (same node and edge attributes), built in sorted order. */
export function inducedSubgraph(graph: AccountGraph, members: readonly string[]): AccountGraph {
  const sorted = [...members].sort();
  const inside = new Set(sorted);
  const sub: AccountGraph = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (const m of sorted) sub.addNode(m, graph.getNodeAttributes(m));
  for (const m of sorted) {
    graph.forEachEdge(m, (_e, attr, s, t) => {
      const other = s === m ? t : s;
      if (other > m && inside.has(other)) sub.addUndirectedEdge(m, other, attr);
    });
  }
  return sub;
}

/**
 * Splits a community into connected sub-communities found by Louvain on its induced
 * subgraph. Returns `[members]` (sorted) when Louvain finds no split.
 */
export function subCommunities(graph: AccountGraph, members: readonly string[], options: SubCommunityOptions): string[][] {
  const sub = inducedSubgraph(graph, members);
  if (sub.size === 0) return connectedPartition(sub, Object.fromEntries(sub.mapNodes((n, _a) => [n, 0])));
  const mapping = louvain(sub, { getEdgeWeight: 'weight', resolution: options.resolution, rng: seededRng(options.seed) });
  return connectedPartition(sub, mapping);
}
