// The picture of a ring as a graph: members as nodes, and as edges the strongest
// co-action edges detection kept (with their reasons) plus "shared product" edges
// between members who posted about the same products. Pure.

export interface GraphNode {
  id: string;
  label: string;
  platform: string;
  score: number;
  posts: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  weight: number;
  /** Reason → strength, e.g. { co_review: 3, shared_product: 2 }. */
  reasons: Record<string, number>;
}

export interface RingGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphInput {
  members: readonly { _id: string; handle: string; platform: string; score: number; posts: number; products: readonly string[] }[];
  strongestEdges: readonly { source: string; target: string; weight: number; reasons: Record<string, number> }[];
}

export function buildRingGraph(input: GraphInput): RingGraph {
  const nodes: GraphNode[] = input.members.map((m) => ({ id: m._id, label: m.handle, platform: m.platform, score: m.score, posts: m.posts }));
  const ids = new Set(nodes.map((n) => n.id));
  const edges = new Map<string, GraphEdge>();
  const key = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const edge = (a: string, b: string): GraphEdge => {
    const k = key(a, b);
    let e = edges.get(k);
    if (!e) {
      e = { source: a < b ? a : b, target: a < b ? b : a, weight: 0, reasons: {} };
      edges.set(k, e);
    }
    return e;
  };
  for (const s of input.strongestEdges) {
    if (!ids.has(s.source) || !ids.has(s.target) || s.source === s.target) continue;
    const e = edge(s.source, s.target);
    e.weight += s.weight;
    for (const [r, v] of Object.entries(s.reasons)) e.reasons[r] = (e.reasons[r] ?? 0) + v;
  }
  const members = input.members;
  for (let i = 0; i < members.length; i++) {
    const pi = new Set(members[i].products);
    if (pi.size === 0) continue;
    for (let j = i + 1; j < members.length; j++) {
      let shared = 0;
      for (const p of new Set(members[j].products)) if (pi.has(p)) shared++;
      if (shared === 0) continue;
      const e = edge(members[i]._id, members[j]._id);
      e.reasons.shared_product = shared;
      e.weight += shared;
    }
  }
  return { nodes, edges: [...edges.values()].sort((a, b) => b.weight - a.weight || (a.source + a.target < b.source + b.target ? -1 : 1)) };
}

/** A deterministic circular layout (positions in [-1, 1]) so pictures are stable between runs. */
export function circleLayout(nodes: readonly GraphNode[]): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  const n = nodes.length;
  nodes.forEach((node, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2;
    out.set(node.id, { x: Math.cos(a), y: Math.sin(a) });
  });
  return out;
}
