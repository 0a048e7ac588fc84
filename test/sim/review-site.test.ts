// The review site's shapes (sim/review-site.ts, issue 11 §6): unique reviewers, a heavy
// tail of organic reviewers, fakes that mostly review once at a realistic prevalence,
// multi-year day-resolution dates, labels exported like yelpnyc's labels.csv.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fakeReviewers, writeWorldFiles } from '../../sim/files';
import { ReviewerNames } from '../../sim/review-site';
import { Rng } from '../../sim/rng';
import { generateWorld } from '../../sim/world';

const DAY = 86_400_000;
const medium = generateWorld({ seed: 3, scale: 'medium' });

/** Review count per reviewer, split by the ground truth. */
function counts(w = medium) {
  const fake = fakeReviewers(w);
  const n = new Map<string, number>();
  for (const r of w.web.reviews) n.set(r.reviewer, (n.get(r.reviewer) ?? 0) + 1);
  const organic: number[] = [];
  const fakes: number[] = [];
  for (const [name, c] of n) (fake.has(name) ? fakes : organic).push(c);
  return { organic, fakes };
}
const share = (xs: number[], f: (x: number) => boolean) => xs.filter(f).length / xs.length;

describe('review site', () => {
  it('never gives two reviewers one name', () => {
    const names = new ReviewerNames();
    const rng = new Rng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(names.claim(rng));
    seen.add(names.claim(rng, 'Jamie R.'));
    seen.add(names.claim(rng, 'Jamie R.'));
    expect(seen.size).toBe(20_002);
  });

  it('has 10-25 % fake accounts, most of which review once, more often than organic ones', () => {
    const { organic, fakes } = counts();
    const prevalence = fakes.length / (fakes.length + organic.length);
    expect(prevalence).toBeGreaterThanOrEqual(0.1);
    expect(prevalence).toBeLessThanOrEqual(0.25);
    const fakeSingles = share(fakes, (c) => c === 1);
    const organicSingles = share(organic, (c) => c === 1);
    expect(fakeSingles).toBeGreaterThan(0.6);
    expect(fakeSingles).toBeGreaterThan(organicSingles);
    expect(organicSingles).toBeGreaterThan(0.55);
    expect(organicSingles).toBeLessThan(0.8);
  });

  it('has heavy organic reviewers in a heavy tail', () => {
    const { organic } = counts();
    expect(Math.max(...organic)).toBeGreaterThanOrEqual(50);
    expect(share(organic, (c) => c >= 10)).toBeGreaterThan(0.01);
  });

  it('spans years, dates only, and keeps the planted rings and organic bursts', () => {
    const times = medium.web.reviews.map((r) => r.createdAt);
    expect((Math.max(...times) - Math.min(...times)) / DAY).toBeGreaterThan(2 * 365);
    for (const t of times) expect(t % DAY).toBe(0);
    expect(medium.truth.rings.length).toBe(30);
    const ringReviewers = medium.truth.rings.flatMap((r) => r.members).filter((m) => m.startsWith('web:'));
    expect(ringReviewers.length).toBeGreaterThan(30);
    expect(medium.truth.organicBursts.length).toBe(8);
    expect(medium.truth.fakeReviewers.length).toBeGreaterThan(500);
  });

  it('exports dates only and one label per review-site account, as ringwatch imports them', async () => {
    const world = generateWorld({ seed: 5, scale: 'small' });
    const dir = mkdtempSync(join(tmpdir(), 'ringwatch-site-'));
    try {
      const files = await writeWorldFiles(world, dir);
      const reviews = parse(readFileSync(files.reviews), { columns: true }) as Record<string, string>[];
      for (const r of reviews) expect(r.created_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const labels = parse(readFileSync(files.labels), { columns: true }) as Record<string, string>[];
      expect(Object.keys(labels[0])).toEqual(['account', 'label']);
      expect(labels.map((l) => l.account).sort()).toEqual([...new Set(reviews.map((r) => `${r.platform}:${r.author}`))].sort());
      const fake = fakeReviewers(world);
      expect(labels.filter((l) => l.label === '1').length).toBe(fake.size);
      for (const l of labels) expect(l.label).toBe(fake.has(l.account.slice('web:'.length)) ? '1' : '0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
