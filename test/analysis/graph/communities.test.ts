import fc from 'fast-check';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import type { AccountGraph } from '../../../analysis/graph/build';
import { connectedPartition, detectCommunities, seededRng, splitConnected } from '../../../analysis/graph/communities';

function graphFrom(n: number, edges: [number, number, number][]): AccountGraph {
  const g: AccountGraph = new Graph({ type: 'undirected' });
  for (let i = 0; i < n; i++) g.addNode(`n${String(i).padStart(3, '0')}`, { platform: 'x', handle: `n${i}` });
  for (const [a, b, w] of edges) {
    if (a === b) continue;
    const s = `n${String(a).padStart(3, '0')}`;
    const t = `n${String(b).padStart(3, '0')}`;
    if (!g.hasEdge(s, t)) g.addUndirectedEdge(s, t, { weight: w, reasons: {}, posts: [] });
  }
  return g;
}

function isConnected(g: AccountGraph, members: string[]): boolean {
  return splitConnected(g, members).length === 1;
}

const randomGraph = fc
  .integer({ min: 2, max: 40 })
  .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 5 })), { maxLength: 120 })));

describe('detectCommunities', () => {
  it('finds two cliques joined by a weak bridge', () => {
    const edges: [number, number, number][] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) edges.push([a, b, 3], [a + 5, b + 5, 3]);
    edges.push([0, 5, 0.1]);
    const { communities } = detectCommunities(graphFrom(10, edges));
    expect(communities).toEqual([
      ['n000', 'n001', 'n002', 'n003', 'n004'],
      ['n005', 'n006', 'n007', 'n008', 'n009'],
    ]);
  });

  it('splits a disconnected member set into components', () => {
    const g = graphFrom(4, [[0, 1, 1], [2, 3, 1]]);
    expect(splitConnected(g, ['n000', 'n001', 'n002', 'n003']).map((c) => c.sort())).toEqual([
      ['n000', 'n001'],
      ['n002', 'n003'],
    ]);
  });

  it('returns only connected communities covering every node once (property)', () => {
    fc.assert(
      fc.property(randomGraph, fc.double({ min: 0.2, max: 3, noNaN: true }), ([n, edges], resolution) => {
        const g = graphFrom(n, edges);
        const { communities } = detectCommunities(g, { resolution, seed: 7 });
        for (const c of communities) expect(isConnected(g, c)).toBe(true);
        const all = communities.flat().sort();
        expect(all).toEqual(g.nodes().sort());
      }),
      { numRuns: 60 },
    );
  });

  it('refines any partition into connected communities (property)', () => {
    fc.assert(
      fc.property(randomGraph, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 40 }), ([n, edges], labels) => {
        const g = graphFrom(n, edges);
        const mapping: Record<string, number> = {};
        g.forEachNode((node, _a) => {
          mapping[node] = labels[Number(node.slice(1))];
        });
        const communities = connectedPartition(g, mapping);
        for (const c of communities) {
          expect(isConnected(g, c)).toBe(true);
          expect(new Set(c.map((m) => mapping[m])).size).toBe(1);
        }
        expect(communities.flat().sort()).toEqual(g.nodes().sort());
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic for the same graph and seed (property)', () => {
    fc.assert(
      fc.property(randomGraph, ([n, edges]) => {
        const a = detectCommunities(graphFrom(n, edges), { seed: 3 });
        const b = detectCommunities(graphFrom(n, edges), { seed: 3 });
        expect(b).toEqual(a);
      }),
      { numRuns: 40 },
    );
  });

  it('seededRng repeats its sequence and stays in [0, 1)', () => {
    const a = seededRng(5);
    const b = seededRng(5);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRng(6)()).not.toBe(xs[0]);
  });
});
