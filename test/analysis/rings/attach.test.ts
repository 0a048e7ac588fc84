import fc from 'fast-check';
import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import type { AccountGraph } from '../../../analysis/graph/build';
import type { Reasons } from '../../../analysis/graph/types';
import { attachMembers, attachment, weakAttach, weightIndex } from '../../../analysis/rings/attach';

function graph(edges: [string, string, number, Reasons][]): AccountGraph {
  const g: AccountGraph = new Graph({ type: 'undirected' });
  for (const [s, t, weight, reasons] of edges) {
    for (const n of [s, t]) if (!g.hasNode(n)) g.addNode(n, { platform: 'x', handle: n });
    g.addUndirectedEdge(s, t, { weight, reasons, posts: [] });
  }
  return g;
}

const core: [string, string, number, Reasons][] = [
  ['a', 'b', 4, { co_review: 2, near_duplicate: 1 }],
  ['a', 'c', 4, { co_review: 2, near_duplicate: 1 }],
  ['b', 'c', 4, { co_review: 2, near_duplicate: 1 }],
];

describe('attachMembers', () => {
  it('takes back a member bound by several kinds of co-action, not an organic neighbour of one shared URL', () => {
    const g = graph([
      ...core,
      ['m', 'a', 1.5, { co_review: 1, reply: 1 }],
      ['o', 'a', 1, { shared_url: 1 }],
      ['o', 'p', 2, { co_review: 1 }],
      ['o', 'q', 2, { co_review: 1 }],
    ]);
    expect(attachMembers(g, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'm']);
  });

  it('needs most of the account weight to go into the group', () => {
    const g = graph([...core, ['m', 'a', 1.5, { co_review: 1, reply: 1 }], ['m', 'z', 3, { co_review: 1 }]]);
    expect(attachment(g, ['m'], new Set(['a', 'b', 'c'])).share).toBeCloseTo(1.5 / 4.5);
    expect(attachMembers(g, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('brings an operator back with its twin on another platform, and chains over rounds', () => {
    const g = graph([
      ...core,
      ['r1', 'a', 1.2, { co_review: 1, reply: 1 }],
      ['r1', 'w1', 1.7, { co_review: 1, same_handle: 1 }],
      ['w2', 'r1', 0.9, { co_review: 1, reply: 1 }],
    ]);
    // r1 alone sends 1.2 of 3.8 into the ring; with its twin w1 the unit sends 1.2 of 2.1.
    expect(attachMembers(g, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'r1', 'w1', 'w2']);
    expect(attachMembers(g, ['a', 'b', 'c'], new Set(), { rounds: 1 })).toEqual(['a', 'b', 'c', 'r1', 'w1']);
  });

  it('never takes members of another ring', () => {
    const g = graph([...core, ['m', 'a', 1.5, { co_review: 1, reply: 1 }]]);
    expect(attachMembers(g, ['a', 'b', 'c'], new Set(['m']))).toEqual(['a', 'b', 'c']);
  });

  it('only grows the group, is order-independent, and each added account is a neighbour of the grown group (property)', () => {
    const arb = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 14 }), fc.double({ min: 0.5, max: 5, noNaN: true }), fc.subarray(['co_review', 'reply', 'same_handle', 'shared_url'] as const, { minLength: 1 })),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 5 }), (raw, k) => {
        const seen = new Set<string>();
        const edges: [string, string, number, Reasons][] = [];
        for (const [x, y, w, kinds] of raw) {
          const [s, t] = [`n${Math.min(x, y)}`, `n${Math.max(x, y)}`];
          if (x === y || seen.has(`${s}|${t}`)) continue;
          seen.add(`${s}|${t}`);
          edges.push([s, t, w, Object.fromEntries(kinds.map((r) => [r, 1]))]);
        }
        const g = graph(edges);
        const start = g.nodes().sort().slice(0, k);
        const grown = attachMembers(g, start);
        expect(grown).toEqual([...new Set(grown)].sort());
        for (const m of start) expect(grown).toContain(m);
        expect(attachMembers(g, [...start].reverse())).toEqual(grown);
        const set = new Set(grown);
        for (const m of grown) if (!start.includes(m)) expect(g.neighbors(m).some((n) => set.has(n))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('weakAttach', () => {
  // Ring a–d with kept edges; w co-reviewed with three members through dropped weak edges;
  // o has one weak edge to the ring and more weight elsewhere; s has weak edges to 3 members
  // but most of its weight elsewhere.
  const ids = ['a', 'b', 'c', 'd', 'o', 's', 'w', 'z'];
  const at = (x: string) => ids.indexOf(x);
  const g = graph([
    ['a', 'b', 3, { co_review: 2 }],
    ['b', 'c', 3, { co_review: 2 }],
    ['c', 'd', 3, { co_review: 2 }],
    ['s', 'z', 9, { co_review: 9 }],
  ]);
  const weakList: [string, string, number][] = [
    ['a', 'w', 0.7],
    ['b', 'w', 0.7],
    ['c', 'w', 0.7],
    ['a', 'o', 0.7],
    ['o', 'z', 0.9],
    ['a', 's', 0.7],
    ['b', 's', 0.7],
    ['c', 's', 0.7],
  ];
  const weak = {
    a: Int32Array.from(weakList, ([x, y]) => Math.min(at(x), at(y))),
    b: Int32Array.from(weakList, ([x, y]) => Math.max(at(x), at(y))),
    weight: Float32Array.from(weakList, ([, , w]) => w),
  };
  const idx = weightIndex(ids, g, weak);

  it('takes an account linked to enough ring members with most of its weight, not the others', () => {
    const focused = () => 1;
    expect(weakAttach(idx, ['a', 'b', 'c', 'd'], new Set(), focused)).toEqual(['w']);
    expect(weakAttach(idx, ['a', 'b', 'c', 'd'], new Set(['w']), focused)).toEqual([]);
    expect(weakAttach(idx, ['a', 'b', 'c', 'd'], new Set(), focused, { minMembers: 4 })).toEqual([]);
    expect(weakAttach(idx, ['a', 'b', 'c', 'd'], new Set(), focused, { minShare: 0.1 })).toEqual(['s', 'w']);
    // An account whose posts are mostly about other products stays out.
    expect(weakAttach(idx, ['a', 'b', 'c', 'd'], new Set(), (x) => (x === 'w' ? 0.3 : 1))).toEqual([]);
  });

  it('indexes weak and kept edges both ways', () => {
    const deg = (x: string) => idx.offsets[at(x) + 1] - idx.offsets[at(x)];
    expect(deg('a')).toBe(4); // b (kept), w, o, s (weak)
    expect(deg('z')).toBe(2);
    expect(idx.offsets[ids.length]).toBe(2 * (4 + weakList.length));
  });
});
