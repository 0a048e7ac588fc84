// The cached adjacency walks every node's edges as graphology does (same order, same
// attribute objects), is dropped when the graph changes, and splits like splitConnected.
import fc from 'fast-check';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import type { AccountGraph } from '../../../analysis/graph/build';
import { splitConnected } from '../../../analysis/graph/communities';
import { adjacency, connectedParts, markNodes } from '../../../analysis/rings/adjacency';

const graphOf = (n: number, edges: readonly [number, number, number][]): AccountGraph => {
  const g: AccountGraph = new Graph({ type: 'undirected' });
  // Shuffled-looking ids so that graph order is not id order.
  for (let i = 0; i < n; i++) g.addNode(`x:${(i * 7) % n}_${i}`, { platform: 'x', handle: `h${i}` });
  const ids = g.nodes();
  for (const [a, b, w] of edges) if (a !== b && !g.hasEdge(ids[a], ids[b])) g.addUndirectedEdge(ids[a], ids[b], { weight: w, reasons: {}, posts: [] });
  return g;
};
const graphs = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 9 })), { maxLength: 40 })),
);

describe('adjacency', () => {
  it('lists each node\'s edges in graph.forEachEdge(node) order with the same attributes (property)', () => {
    fc.assert(
      fc.property(graphs, ([n, edges]) => {
        const g = graphOf(n, edges);
        const adj = adjacency(g);
        expect(adj.ids).toEqual(g.nodes());
        g.forEachNode((id) => {
          const u = adj.index.get(id) as number;
          const want: [string, boolean, unknown][] = [];
          g.forEachEdge(id, (_e, attr, s, t) => want.push([s === id ? t : s, s === id, attr]));
          const got: [string, boolean, unknown][] = [];
          for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) got.push([adj.ids[adj.neighbour[k]], adj.source[k] === 1, adj.attrs[k]]);
          expect(got.length).toBe(want.length);
          got.forEach((x, k) => {
            expect(x[0]).toBe(want[k][0]);
            expect(x[1]).toBe(want[k][1]);
            expect(x[2]).toBe(want[k][2]);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('is built once per graph and again after the graph changes', () => {
    const g = graphOf(4, [[0, 1, 1], [1, 2, 2]]);
    const first = adjacency(g);
    expect(adjacency(g)).toBe(first);
    const ids = g.nodes();
    g.addUndirectedEdge(ids[2], ids[3], { weight: 5, reasons: {}, posts: [] });
    const second = adjacency(g);
    expect(second).not.toBe(first);
    expect(second.offsets[4]).toBe(6);
    g.replaceEdgeAttributes(g.edge(ids[0], ids[1]) as string, { weight: 9, reasons: {}, posts: [] });
    const third = adjacency(g);
    expect(third).not.toBe(second);
    expect(third.attrs[third.offsets[third.index.get(ids[0]) as number]].weight).toBe(9);
    g.dropEdge(ids[1], ids[2]);
    expect(adjacency(g).offsets[4]).toBe(4);
  });

  it('marks members until the next marking', () => {
    const g = graphOf(5, []);
    const adj = adjacency(g);
    const ids = g.nodes();
    const a = markNodes(adj, [ids[0], ids[2], 'not:a:node']);
    expect(ids.map((_id, u) => a.mark[u] === a.stamp)).toEqual([true, false, true, false, false]);
    const b = markNodes(adj, [ids[1]]);
    expect(ids.map((_id, u) => b.mark[u] === b.stamp)).toEqual([false, true, false, false, false]);
  });

  it('splits members into connected parts as splitConnected does (property)', () => {
    fc.assert(
      fc.property(graphs, fc.array(fc.integer({ min: 0, max: 13 }), { maxLength: 14 }), ([n, edges], pick) => {
        const g = graphOf(n, edges);
        const ids = g.nodes();
        const members = pick.filter((k) => k < n).map((k) => ids[k]);
        expect(connectedParts(adjacency(g), members)).toEqual(splitConnected(g, members));
      }),
      { numRuns: 300 },
    );
  });
});
