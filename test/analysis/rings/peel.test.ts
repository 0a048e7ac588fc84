import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import type { AccountGraph } from '../../../analysis/graph/build';
import { peelCommunity } from '../../../analysis/rings/peel';

describe('peelCommunity', () => {
  it('drops members hanging on by a weak edge and keeps the dense core connected', () => {
    const g: AccountGraph = new Graph({ type: 'undirected' });
    for (const n of ['a', 'b', 'c', 'd', 'x', 'y']) g.addNode(n, { platform: 'x', handle: n });
    const e = (s: string, t: string, w: number) => g.addUndirectedEdge(s, t, { weight: w, reasons: {}, posts: [] });
    for (const [s, t] of [['a', 'b'], ['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd'], ['c', 'd']]) e(s, t, 4);
    e('d', 'x', 0.5);
    e('x', 'y', 0.5);
    expect(peelCommunity(g, ['a', 'b', 'c', 'd', 'x', 'y'])).toEqual([['a', 'b', 'c', 'd']]);
    expect(peelCommunity(g, ['a', 'b', 'c', 'd'])).toEqual([['a', 'b', 'c', 'd']]);
  });
});
