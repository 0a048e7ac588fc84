// co_share edges from a small hand-made set of shared objects (pure: no store).
import { describe, expect, it } from 'vitest';
import { buildAccountGraph } from '../../../analysis/graph/build';
import { postObjects } from '../../../analysis/graph/coactions';
import { DEFAULT_GRAPH_OPTIONS, type DetectPost } from '../../../analysis/graph/types';
import { detectRings } from '../../../analysis/rings/detect';

const T0 = Date.UTC(2021, 8, 1);
const S = 1000;
let seq = 0;
function share(accountId: string, seconds: number, objects: string[]): DetectPost {
  return { _id: `p${seq++}`, platform: accountId.split(':')[0], accountId, createdAt: new Date(T0 + seconds * S), objects };
}
const loose = { minEdgeWeight: 0, edgeQuantile: 0 };
const coShare = (g: ReturnType<typeof buildAccountGraph>['graph'], a: string, b: string) =>
  g.hasEdge(a, b) ? g.getEdgeAttribute(a, b, 'reasons').co_share : undefined;

describe('co_share edges', () => {
  it('uses CooRTweet’s 10 s default window', () => {
    expect(DEFAULT_GRAPH_OPTIONS.coShareWindowMs).toBe(10_000);
  });

  it('links accounts sharing one object within the window, not outside it, never an account with itself', () => {
    const posts = [
      share('tw:a', 0, ['url:1']),
      share('tw:b', 4, ['url:1']),
      share('tw:c', 30, ['url:1']), // 26 s after b: outside 10 s
      share('tw:a', 31, ['url:1']), // a again, 1 s after c: a–c co-share
      share('tw:a', 32, ['url:1']), // a with itself: nothing
    ];
    const { graph } = buildAccountGraph(posts, [], loose);
    expect(coShare(graph, 'tw:a', 'tw:b')).toBeCloseTo(1, 12);
    expect(coShare(graph, 'tw:a', 'tw:c')).toBeGreaterThan(0);
    expect(graph.hasEdge('tw:b', 'tw:c')).toBe(false);
    expect(graph.getEdgeAttribute('tw:a', 'tw:b', 'posts')).toEqual([posts[0]._id, posts[1]._id]);
  });

  it('counts one occasion once however many objects the two posts share, and repeats add up', () => {
    const once = buildAccountGraph([share('fb:a', 0, ['url:1', 'domain:9', 'hashtag:7']), share('fb:b', 2, ['url:1', 'domain:9', 'hashtag:7'])], [], loose);
    expect(coShare(once.graph, 'fb:a', 'fb:b')).toBeCloseTo(1, 12);
    const thrice = buildAccountGraph(
      [0, 1000, 2000].flatMap((t, k) => [share('fb:a', t, [`url:${k}`, 'domain:9']), share('fb:b', t + 3, [`url:${k}`, 'domain:9'])]),
      [],
      loose,
    );
    expect(coShare(thrice.graph, 'fb:a', 'fb:b')).toBeCloseTo(3, 12);
    expect(thrice.graph.getEdgeAttribute('fb:a', 'fb:b', 'weight')).toBeCloseTo(2, 12); // log2(1 + 3)
  });

  it('discounts objects many accounts share, like a common URL; a burst of a rare object is not discounted', () => {
    const opts = { ...loose, commonBucketAccounts: 4 };
    const burst = Array.from({ length: 4 }, (_v, k) => share(`tw:u${k}`, k, ['url:rare']));
    expect(coShare(buildAccountGraph(burst, [], opts).graph, 'tw:u0', 'tw:u1')).toBeCloseTo(1, 12);
    // 8 accounts share the hashtag (2 of them together): each occasion counts 4/8
    const common = Array.from({ length: 8 }, (_v, k) => share(`tw:v${k}`, k * 100, ['hashtag:btw21']));
    common.push(share('tw:v0', 705, ['hashtag:btw21']));
    expect(coShare(buildAccountGraph(common, [], opts).graph, 'tw:v0', 'tw:v7')).toBeCloseTo(0.5, 12);
    // more than 10 × 4 accounts: boilerplate, skipped
    const boiler = Array.from({ length: 41 }, (_v, k) => share(`tw:w${k}`, k, ['domain:big']));
    expect(buildAccountGraph(boiler, [], opts).graph.size).toBe(0);
  });

  it('follows a configured co-share window and ignores posts without objects', () => {
    const posts = [share('tw:a', 0, ['phash:5']), share('tw:b', 50, ['phash:5']), share('tw:c', 51, [])];
    expect(buildAccountGraph(posts, [], loose).graph.size).toBe(0);
    const wide = buildAccountGraph(posts, [], { ...loose, coShareWindowMs: 60 * S });
    expect(coShare(wide.graph, 'tw:a', 'tw:b')).toBeCloseTo(1, 12);
    expect(wide.graph.hasNode('tw:c')).toBe(false);
  });

  it('normalises a post’s objects', () => {
    expect(postObjects({ ...share('x:a', 0, ['url:1', '', 'url:1', 'tweet:9']) })).toEqual(['url:1', 'tweet:9']);
    expect(postObjects({ _id: 'q', platform: 'x', accountId: 'x:a', createdAt: new Date(T0) })).toEqual([]);
  });

  it('a ring found by co-shares carries the shared objects as evidence, without product indicators it cannot show', () => {
    const ring = ['fb:r1', 'fb:r2', 'fb:r3', 'fb:r4'];
    const posts = [0, 3600, 7200].flatMap((t, k) => ring.map((a, i) => share(a, t + i * 2, [`url:${100 + k}`, 'domain:7'])));
    // organic accounts sharing the same domain hours apart, and other links
    for (let k = 0; k < 12; k++) posts.push(share(`fb:o${k}`, 20_000 + k * 900, ['domain:7', `url:${k}`]));
    const { rings } = detectRings({ posts, accounts: [] });
    expect(rings).toHaveLength(1);
    expect(rings[0].members).toEqual(ring);
    const names = rings[0].indicators.map((i) => i.name);
    expect(names).toContain('co_share_lockstep');
    expect(names).not.toContain('support_count');
    expect(names).not.toContain('focus');
    const objects = rings[0].indicators.find((i) => i.name === 'co_shared_objects');
    expect(objects?.value).toBe(4);
    expect(objects?.explanation).toContain('domain:7 (4 members), url:100 (4 members), url:101 (4 members), url:102 (4 members)');
    expect(rings[0].strongestEdges[0].reasons.co_share).toBeCloseTo(3, 6);
  });
});
