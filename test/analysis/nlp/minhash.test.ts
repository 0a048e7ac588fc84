import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exactJaccard,
  fingerprint,
  jaccardEstimate,
  LSH_BANDS,
  LSH_ROWS,
  lshBands,
  lshCollisionProbability,
  MINHASH_HASHES,
  minhashSignature,
  nearDuplicateGroups,
} from '../../../analysis/nlp/minhash';
import { mulberry32 } from './corpus';

const VOCAB = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}${'abcdefg'[i % 7]}`);
const randomText = (rnd: () => number, n: number) => Array.from({ length: n }, () => VOCAB[Math.floor(rnd() * VOCAB.length)]).join(' ');

/** A text with `changes` of its words replaced: "same template, different words". */
function vary(rnd: () => number, text: string, changes: number): string {
  const words = text.split(' ');
  for (let c = 0; c < changes; c++) words[Math.floor(rnd() * words.length)] = VOCAB[Math.floor(rnd() * VOCAB.length)];
  return words.join(' ');
}

describe('MinHash', () => {
  it('identical (after normalisation) texts get identical signatures and bands', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...VOCAB), { minLength: 1, maxLength: 40 }), (words) => {
        const a = words.join(' ');
        const b = `  ${words.map((w) => w.toUpperCase()).join(',  ')}!! `;
        expect(minhashSignature(b)).toEqual(minhashSignature(a));
        expect(fingerprint(b)).toEqual(fingerprint(a));
        expect(jaccardEstimate(minhashSignature(a), minhashSignature(b))).toBe(1);
      }),
      { numRuns: 100 },
    );
  });
  it('has the configured shape; empty text has no signature', () => {
    const f = fingerprint('one two three four five six seven');
    expect(f.minhash).toHaveLength(MINHASH_HASHES);
    expect(f.lshBands).toHaveLength(LSH_BANDS);
    expect(f.minhash.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)).toBe(true);
    expect(fingerprint('')).toEqual({ minhash: [], lshBands: [] });
    expect(fingerprint(undefined)).toEqual({ minhash: [], lshBands: [] });
    expect(fingerprint('Love it!').lshBands).toEqual([]);
  });
  it('estimates the exact Jaccard within tolerance on random texts', () => {
    const rnd = mulberry32(42);
    const errors: number[] = [];
    for (let i = 0; i < 300; i++) {
      const a = randomText(rnd, 20 + Math.floor(rnd() * 40));
      const b = rnd() < 0.5 ? vary(rnd, a, Math.floor(rnd() * 12)) : randomText(rnd, 30);
      const err = Math.abs(jaccardEstimate(minhashSignature(a), minhashSignature(b)) - exactJaccard(a, b));
      errors.push(err);
    }
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    // Standard error at H = 128 is ≤ 0.044; allow 4 sigma for the worst of 300.
    expect(Math.max(...errors)).toBeLessThan(0.18);
    expect(mean).toBeLessThan(0.04);
  });
  it('the S-curve in the comment is what the formula gives', () => {
    expect(lshCollisionProbability(0.5)).toBeCloseTo(0.873, 3);
    expect(lshCollisionProbability(0.2)).toBeCloseTo(0.05, 2);
    expect(LSH_BANDS * LSH_ROWS).toBe(MINHASH_HASHES);
  });
  it('templated-but-varied texts collide, unrelated texts do not (measured rates)', () => {
    const rnd = mulberry32(7);
    let similarPairs = 0;
    let similarCollide = 0;
    let unrelatedCollide = 0;
    const shares = (a: string[], b: string[]) => a.some((k) => b.includes(k));
    for (let i = 0; i < 300; i++) {
      const base = randomText(rnd, 40);
      const twin = vary(rnd, base, 3);
      if (exactJaccard(base, twin) >= 0.5) {
        similarPairs++;
        if (shares(fingerprint(base).lshBands, fingerprint(twin).lshBands)) similarCollide++;
      }
      if (shares(fingerprint(base).lshBands, fingerprint(randomText(rnd, 40)).lshBands)) unrelatedCollide++;
    }
    expect(similarPairs).toBeGreaterThan(200);
    expect(similarCollide / similarPairs).toBeGreaterThan(0.95);
    expect(unrelatedCollide / 300).toBeLessThan(0.01);
  });
  it('band keys depend on band position, not only values', () => {
    const sig = Array.from({ length: MINHASH_HASHES }, () => 7);
    const bands = lshBands(sig);
    expect(new Set(bands).size).toBe(LSH_BANDS);
  });
});

describe('nearDuplicateGroups', () => {
  it('groups templated posts by template, leaves unrelated posts out, without all pairs', () => {
    const rnd = mulberry32(3);
    const templates = Array.from({ length: 5 }, () => randomText(rnd, 35));
    const items: { id: string; minhash: number[]; lshBands: string[] }[] = [];
    const truth = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const t = i % 3 === 0 ? Math.floor(rnd() * templates.length) : -1;
      const text = t >= 0 ? vary(rnd, templates[t], 2) : randomText(rnd, 35);
      const id = `p${i}`;
      truth.set(id, t);
      items.push({ id, ...fingerprint(text) });
    }
    const groups = nearDuplicateGroups(items);
    // Every group is pure, unrelated posts are never grouped, and templates are not split.
    for (const g of groups) {
      const t = truth.get(g[0]);
      expect(t).toBeGreaterThanOrEqual(0);
      for (const id of g) expect(truth.get(id)).toBe(t);
    }
    expect(groups).toHaveLength(templates.length);
    const grouped = groups.flat().length;
    const templated = [...truth.values()].filter((t) => t >= 0).length;
    expect(grouped / templated).toBeGreaterThan(0.97);
    // Deterministic.
    expect(nearDuplicateGroups(items)).toEqual(groups);
  });
});
