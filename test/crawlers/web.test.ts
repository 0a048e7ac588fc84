// The review-page crawler in real Chromium against the simulator's review site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { RefusedUrlError, WebSource } from '../../crawlers/platforms/web/source';
import { parseRobots, robotsAllows } from '../../crawlers/platforms/web/robots';
import { testStore } from '../helpers/store';
import { crawl, simConfig } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 9, scale: 'small' });
});
afterAll(async () => {
  await sim?.close();
});

describe('web crawler', () => {
  it('stores every review of the product pages, following pagination, then only new ones', async () => {
    const store = await testStore();
    const counts = new Map<string, number>();
    for (const r of sim.world.web.reviews) counts.set(r.productId, (counts.get(r.productId) ?? 0) + 1);
    // Products with several review pages (10 a page).
    const products = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p]) => p);
    const startUrls = products.map((p) => `${sim.web.baseUrl}/products/${p}`);
    const config = simConfig(sim, { web: { startUrls } });
    const source = new WebSource({ config });
    try {
      const first = await crawl(source, store);
      expect(first.errorMessages).toEqual([]);
      const want = sim.world.web.reviews.filter((r) => products.includes(r.productId));
      const stored = await store.posts.find({ platform: 'web' });
      expect(stored.map((p) => p.externalId).sort()).toEqual(want.map((r) => r.id).sort());
      expect(new Set(stored.map((p) => p._id)).size).toBe(stored.length);
      const host = new URL(sim.web.baseUrl).hostname;
      const byId = new Map(want.map((r) => [r.id, r]));
      for (const p of stored) {
        const r = byId.get(p.externalId)!;
        expect(p).toMatchObject({ accountId: `web:${host}:${r.reviewer}`, rating: r.rating, product: r.productId, text: r.text, kind: 'review' });
        expect(p.createdAt.getTime()).toBe(r.createdAt);
      }
      expect(first.pages).toBeGreaterThan(products.length);

      // Incremental: one new review; the next crawl reads one page per product and stops.
      sim.web.sim.addReview({ productId: products[0], reviewer: 'late_reviewer', rating: 1, title: 'Broke', text: 'Broke <b>after</b> a day' });
      const second = await crawl(source, store);
      expect(second.new).toBe(1);
      expect(second.pages).toBe(products.length);
      expect((await store.posts.find({ author: 'late_reviewer' }))[0].text).toBe('Broke <b>after</b> a day');
    } finally {
      await source.close();
      await store.close();
    }
  }, 60_000);

  it('refuses URLs outside the allowlist and paths robots.txt disallows, before any request', async () => {
    const config = simConfig(sim, { web: { startUrls: [`${sim.web.baseUrl}/private/queue`] } });
    const source = new WebSource({ config });
    try {
      sim.resetStats();
      await expect(source.check('http://10.0.0.1/admin')).rejects.toThrow(/not in web\.allowDomains/);
      await expect(source.check('file:///etc/passwd')).rejects.toThrow(RefusedUrlError);
      await expect(source.check(`${sim.web.baseUrl}/private/queue`)).rejects.toThrow(/robots\.txt disallows \/private\/queue/);
      await expect(source.check(`${sim.web.baseUrl}/cart`)).rejects.toThrow(/robots\.txt disallows/);
      await expect(source.check(`${sim.web.baseUrl}/products/X`)).resolves.toBeInstanceOf(URL);
      const store = await testStore();
      try {
        const r = await crawl(source, store);
        expect(r.errors).toBe(1);
        expect(r.errorMessages[0]).toMatch(/robots\.txt disallows/);
      } finally {
        await store.close();
      }
      const paths = sim.stats().log.filter((x) => x.platform === 'web').map((x) => x.endpoint);
      expect(paths).toEqual(['GET /robots.txt']);
    } finally {
      await source.close();
    }
  }, 30_000);

  it('reads robots.txt groups: own agent first, longest rule wins, Allow wins ties', () => {
    const rules = parseRobots('User-agent: *\nDisallow: /private/\nAllow: /private/ok$\n\nUser-agent: BadBot\nDisallow: /\n', 'ringwatch/0.1');
    expect(robotsAllows(rules, '/private/x')).toBe(false);
    expect(robotsAllows(rules, '/private/ok')).toBe(true);
    expect(robotsAllows(rules, '/products/1')).toBe(true);
    expect(robotsAllows(parseRobots('User-agent: *\nDisallow: /\n\nUser-agent: ringwatch\nDisallow: /x\n', 'ringwatch/0.1'), '/y')).toBe(true);
    expect(robotsAllows(parseRobots('User-agent: BadBot\nDisallow: /\n', 'BadBot/2'), '/a')).toBe(false);
  });
});
