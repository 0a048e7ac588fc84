// The near-duplicate step's band part in worker threads (analysis/graph/near-duplicate-thread.ts)
// answers exactly what it answers in this thread: the same verified pairs in the same order
// with the same similarity × discount, and so the same account graph; so do its pieces (hits
// remembered instead of every visited pair, the pairs split into parts and merged).
import { describe, expect, it } from 'vitest';
import { buildAccountGraph } from '../../../analysis/graph/build';
import { mergePartHits, minhashJaccardAtLeast, type NearDuplicateHits, packSignatures, signatureHits, unpackSignatures, verifiedPairs, type VisitOptions } from '../../../analysis/graph/near-duplicate-pairs';
import { pairWorkers, startSignatureHits } from '../../../analysis/graph/near-duplicate-thread';
import { forEachSignatureBucket, splitBanded } from '../../../analysis/graph/near-duplicates';
import type { DetectPost } from '../../../analysis/graph/types';
import { fingerprint } from '../../../analysis/nlp/minhash';

const WORDS = 'battery screen sound price delivery case strap charger quality design weight colour fit button app'.split(' ');

/** Posts from a few templates with words swapped, by accounts posting several each, times in order. */
function posts(n: number, seed = 7): DetectPost[] {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const templates = Array.from({ length: 12 }, () => Array.from({ length: 14 }, () => WORDS[Math.floor(rnd() * WORDS.length)]));
  return Array.from({ length: n }, (_x, i) => {
    const words = [...templates[Math.floor(rnd() * templates.length)]];
    for (let k = 0; k < 2; k++) words[Math.floor(rnd() * words.length)] = WORDS[Math.floor(rnd() * WORDS.length)];
    const text = i % 9 === 0 ? 'love it, works fine for me' : words.join(' ');
    const { minhash, lshBands } = fingerprint(text);
    return {
      _id: `p${i}`,
      platform: 'x',
      accountId: `a${Math.floor(rnd() * (n / 3))}`,
      createdAt: new Date(1_700_000_000_000 + i * 60_000),
      text,
      enrichment: { minhash: Int32Array.from(minhash), lsh: lshBands.length > 0 },
    };
  });
}

const OPTS: VisitOptions = { maxNeighbours: 25, maxBucketAccounts: 300, commonBucketAccounts: 30, minJaccard: 0.6 };

function bandInput(ps: DetectPost[], opts: VisitOptions = OPTS) {
  const accounts = new Map<string, number>();
  const accOf = Int32Array.from(ps, (p) => {
    const known = accounts.get(p.accountId);
    if (known !== undefined) return known;
    accounts.set(p.accountId, accounts.size);
    return accounts.size - 1;
  });
  const { banded, sigs } = splitBanded(ps);
  return { banded, sigs, accOf, accounts: accounts.size, posts: ps.length, opts };
}

const listed = (h: NearDuplicateHits) => ({ px: Array.from(h.px.subarray(0, h.size)), py: Array.from(h.py.subarray(0, h.size)), simD: Array.from(h.simD.subarray(0, h.size)) });

describe('near-duplicate pairs of the band buckets', () => {
  it('remembering only the hits gives what remembering every visited pair gives', () => {
    for (const minJaccard of [0.3, 0.6, 0.9]) {
      const input = bandInput(posts(1200, 3), { ...OPTS, minJaccard });
      const at = new Int32Array(input.posts).fill(-1);
      input.banded.forEach((p, j) => {
        at[p] = j;
      });
      const everyPair = verifiedPairs((v) => forEachSignatureBucket(input.banded, input.sigs, v), input.accOf, input.accounts, input.posts, input.opts, (x, y) =>
        minhashJaccardAtLeast(input.sigs[at[x]], input.sigs[at[y]], minJaccard),
      );
      const hits = signatureHits(input);
      expect(everyPair.size).toBeGreaterThan(50);
      expect(listed(hits)).toEqual(listed(everyPair));
    }
  });

  it('split into parts by first post and merged, are the pairs of one run in its order', () => {
    const input = bandInput(posts(1500, 5));
    const whole = listed(signatureHits(input));
    expect(whole.px.length).toBeGreaterThan(100);
    for (const of of [2, 3, 5]) {
      const parts = Array.from({ length: of }, (_x, index) => signatureHits({ ...input, part: { index, of } }));
      expect(parts.every((p) => p.size > 0 && p.size < whole.px.length)).toBe(true);
      expect(listed(mergePartHits(parts))).toEqual(whole);
    }
  });
});

describe('near-duplicate pairs in a worker thread', () => {
  it('are the pairs found in this thread, in the same order, from one worker or two', () => {
    const ps = posts(1500);
    const input = bandInput(ps);
    const here = startSignatureHits(input, 'this');
    const a = here.join();
    expect(here.inWorker).toBe(false);
    expect(a.size).toBeGreaterThan(100);
    for (const workers of [1, 2]) {
      const there = startSignatureHits(input, 'worker', workers);
      const b = there.join();
      expect(there.workerError).toBeUndefined();
      expect(there.inWorker).toBe(true);
      expect(listed(b)).toEqual(listed(a));
    }
    // The workers read copies in shared memory: this thread's arrays are untouched.
    expect(input.banded.length).toBeGreaterThan(0);
    expect(input.accOf.length).toBe(ps.length);
  }, 60_000);

  it('use one worker per core beyond this thread, one to two', () => {
    expect([1, 2, 3, 8].map((cores) => pairWorkers(cores))).toEqual([1, 1, 2, 2]);
  });

  it('give the same account graph as the band step in this thread', () => {
    const ps = posts(900, 11);
    const graphOf = (where: 'this' | 'worker') => {
      const { graph, stats } = buildAccountGraph(ps, [], { nearDuplicateThread: where });
      const edges: unknown[] = [];
      graph.forEachEdge((_e, attrs, s, t) => edges.push([s, t, attrs]));
      return { stats, edges };
    };
    const here = graphOf('this');
    expect(here.stats.edges).toBeGreaterThan(20);
    expect(graphOf('worker')).toEqual(here);
  }, 60_000);

  it('pack signatures into one array and back', () => {
    const sigs = [Int32Array.of(1, -2, 3), Int32Array.of(), Int32Array.of(2 ** 31 - 1, -(2 ** 31))];
    const packed = packSignatures(sigs);
    expect(Array.from(packed.offsets)).toEqual([0, 3, 3, 5]);
    expect(unpackSignatures(packed).map((s) => Array.from(s))).toEqual(sigs.map((s) => Array.from(s)));
  });
});
