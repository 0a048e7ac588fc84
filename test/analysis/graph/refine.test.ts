import fc from 'fast-check';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import type { AccountGraph } from '../../../analysis/graph/build';
import { detectCommunities, splitConnected } from '../../../analysis/graph/communities';
import { inducedSubgraph, subCommunities } from '../../../analysis/graph/refine';

const id = (i: number) => `n${String(i).padStart(3, '0')}`;

function graphFrom(n: number, edges: [number, number, number][]): AccountGraph {
  const g: AccountGraph = new Graph({ type: 'undirected' });
  for (let i = 0; i < n; i++) g.addNode(id(i), { platform: 'x', handle: id(i) });
  for (const [a, b, w] of edges) {
    if (a !== b && !g.hasEdge(id(a), id(b))) g.addUndirectedEdge(id(a), id(b), { weight: w, reasons: {}, posts: [] });
  }
  return g;
}

/** Many 4-cliques chained in a ring of cliques (Fortunato & Barthélemy's example). */
function ringOfCliques(k: number): [number, number, number][] {
  const edges: [number, number, number][] = [];
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) edges.push([4 * c + a, 4 * c + b, 1]);
    edges.push([4 * c + 3, (4 * (c + 1)) % (4 * k), 1]);
  }
  return edges;
}

describe('subCommunities', () => {
  it('finds a small dense group that a big sparse cluster swallowed', () => {
    // A 6-clique of heavy edges, attached by a few edges to a long chain.
    const edges: [number, number, number][] = [];
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) edges.push([a, b, 3]);
    for (let i = 6; i < 60; i++) edges.push([i, i + 1, 1], [i, i + 2 > 60 ? 6 : i + 2, 1]);
    edges.push([0, 6, 1], [1, 7, 1]);
    const g = graphFrom(61, edges);
    const members = g.nodes().slice(0, 20);
    const parts = subCommunities(g, members, { resolution: 1, seed: 1 });
    expect(parts.some((p) => p.join() === [0, 1, 2, 3, 4, 5].map(id).join())).toBe(true);
  });

  it('separates cliques that whole-graph Louvain merges (resolution limit)', () => {
    const g = graphFrom(120, ringOfCliques(30));
    const { communities } = detectCommunities(g, { seed: 1 });
    const merged = communities.find((c) => c.length > 4);
    expect(merged).toBeDefined();
    const parts = subCommunities(g, merged ?? [], { resolution: 1, seed: 1 });
    expect(parts.length).toBeGreaterThan(1);
  });

  it('returns connected parts covering the members exactly once, deterministically (property)', () => {
    const arb = fc
      .integer({ min: 2, max: 40 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 5 })), { maxLength: 120 }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(arb, ([n, edges, pick]) => {
        const g = graphFrom(n, edges);
        const members = g.nodes().filter((_m, i) => pick[i]);
        const parts = subCommunities(g, members, { resolution: 1, seed: 3 });
        for (const p of parts) expect(splitConnected(g, p).length).toBe(1);
        expect(parts.flat().sort()).toEqual([...members].sort());
        expect(subCommunities(g, [...members].reverse(), { resolution: 1, seed: 3 })).toEqual(parts);
      }),
      { numRuns: 80 },
    );
  });

  it('inducedSubgraph keeps exactly the edges between members, with their attributes', () => {
    const g = graphFrom(4, [[0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    const sub = inducedSubgraph(g, [id(0), id(1), id(2)]);
    expect(sub.order).toBe(3);
    expect(sub.size).toBe(2);
    expect(sub.getEdgeAttribute(id(1), id(2), 'weight')).toBe(3);
  });
});
