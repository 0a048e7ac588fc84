// Peeling: Louvain puts every node somewhere, so a ring's community often carries a few
// organic accounts hanging on by one weak edge. Members whose co-action strength inside
// the community is below `fraction` × the community's median are removed, repeatedly,
// and what remains is split into connected parts again. Removed accounts are not lost:
// they are still scored on their own behaviour and their neighbours.
import type { AccountGraph } from '../graph/build';
import { splitConnected } from '../graph/communities';
import { adjacency, connectedParts, markNodes } from './adjacency';

/** Each member's summed edge weight to the other members (members must be nodes). */
export function internalStrength(graph: AccountGraph, members: ReadonlySet<string>): Map<string, number> {
  const adj = adjacency(graph);
  const { mark, stamp } = markNodes(adj, members);
  const out = new Map<string, number>();
  for (const m of members) {
    const u = adj.index.get(m);
    if (u === undefined) throw new Error(`internalStrength: ${m} is not a node of the graph`);
    let s = 0;
    for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) if (mark[adj.neighbour[k]] === stamp) s += adj.attrs[k].weight;
    out.set(m, s);
  }
  return out;
}

export function peelCommunity(graph: AccountGraph, members: readonly string[], fraction = 0.25): string[][] {
  const current = new Set(members);
  for (;;) {
    if (current.size < 3) break;
    const strength = internalStrength(graph, current);
    const sorted = [...strength.values()].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const weak = [...current].filter((m) => (strength.get(m) ?? 0) < fraction * median);
    if (weak.length === 0) break;
    for (const m of weak) current.delete(m);
  }
  // The adjacency's parts are splitConnected's for an undirected graph (the account graph's type).
  const rest = [...current].sort();
  const parts = graph.type === 'undirected' ? connectedParts(adjacency(graph), rest) : splitConnected(graph, rest);
  return parts.map((c) => c.sort()).filter((c) => c.length >= 2);
}
