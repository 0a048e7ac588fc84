// `ringwatch crawl` as an operator meets it: a page cap is an ending, not 56 errors; a
// cancelled crawl says so and exits 130; `crawl all` shows progress from the start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { smallSubreddits } from '../crawlers/helpers';
import { onPipes, onTty, screenSegments, simCli } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 4, scale: 'small', faults: { reddit: { delayMs: 400 } } });
});
afterAll(async () => {
  await sim?.close();
});

function setup(config: Record<string, unknown>) {
  return simCli(sim, config);
}

function webConfig(maxPages: number) {
  const counts = new Map<string, number>();
  for (const r of sim.world.web.reviews) counts.set(r.productId, (counts.get(r.productId) ?? 0) + 1);
  const products = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([p]) => p);
  return { web: { startUrls: products.map((p) => `${sim.web.baseUrl}/products/${p}`), allowDomains: [new URL(sim.web.baseUrl).host], perDomainDelayMs: 0, maxPages } };
}

describe('ringwatch crawl', () => {
  it('ends at web.maxPages with one info line and a note, not one error per page', async () => {
    const { dir, env } = setup(webConfig(3));
    const r = await onPipes(['crawl', 'web'], env, dir);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const records = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(records.filter((l) => l.level >= 50)).toEqual([]);
    expect(records.filter((l) => /page cap/.test(l.msg))).toHaveLength(1);
    expect(r.stdout).toMatch(/stopped: web\.maxPages \(3\) reached/);
    expect(r.stdout).not.toMatch(/^web\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+[1-9]/m);
  }, 120_000);

  it('says it was cancelled and exits 130 on Ctrl-C', async () => {
    const { dir, env } = setup({ reddit: { subreddits: smallSubreddits(sim, 6), comments: false, fetchAuthors: false } });
    const before = sim.stats().byPlatform.reddit?.requests ?? 0;
    const r = await onPipes(['crawl', 'reddit'], env, dir, (child) => {
      // Once the crawl is under way (a few listing requests in).
      const poll = setInterval(() => {
        if ((sim.stats().byPlatform.reddit?.requests ?? 0) - before < 3) return;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 50);
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    expect(r.stderr).toMatch(/crawl cancelled: .*run the same command again to resume/);
    expect(r.stdout).toMatch(/cancelled: cursors kept/);
  }, 120_000);

  it('crawl all shows progress while it starts, on a terminal', async () => {
    const { dir, env } = setup({ reddit: { subreddits: smallSubreddits(sim, 1), comments: false, fetchAuthors: false } });
    const r = await onTty(['crawl', 'all'], env, dir);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    const bars = screenSegments(r.out).filter((s) => s.startsWith('crawl all'));
    expect(bars.some((s) => /reddit: starting/.test(s))).toBe(true);
    // With the time spent so far, so a stage that reports nothing for a while is seen to be alive.
    expect(bars.every((s) => /\| \d+(\.\d+)?[smh]( \d+[sm])?$/.test(s.trimEnd()))).toBe(true);
  }, 120_000);
});
