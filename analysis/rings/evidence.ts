// The strongest internal edges of a ring, with their reasons and posts, as a report renders them.
import type { RingEdgeEvidence } from '../../storage/types';
import type { AccountGraph } from '../graph/build';
import { round } from './context';

export function strongestEdges(graph: AccountGraph, members: readonly string[], limit = 5): RingEdgeEvidence[] {
  const inside = new Set(members);
  const edges: RingEdgeEvidence[] = [];
  for (const m of members) {
    if (!graph.hasNode(m)) continue;
    graph.forEachEdge(m, (_e, attr, s, t) => {
      if (s !== m || !inside.has(t)) return;
      const reasons: Record<string, number> = {};
      for (const [k, v] of Object.entries(attr.reasons)) if (v !== undefined) reasons[k] = round(v);
      edges.push({ source: s, target: t, weight: round(attr.weight), reasons, posts: [...attr.posts] });
    });
  }
  edges.sort((x, y) => y.weight - x.weight || (x.source < y.source ? -1 : x.source > y.source ? 1 : x.target < y.target ? -1 : 1));
  return edges.slice(0, limit);
}
