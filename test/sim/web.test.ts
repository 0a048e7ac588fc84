import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/server';
import { ROBOTS_TXT } from '../../sim/web';
import { generateWorld } from '../../sim/world';

const world = generateWorld({ seed: 5, scale: 'small' });

describe('review web site', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ world });
  });
  afterAll(() => sim.close());

  it('serves robots.txt that disallows /private/ and /cart', async () => {
    const res = await fetch(`${sim.web.baseUrl}/robots.txt`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toBe(ROBOTS_TXT);
    expect(text).toMatch(/^Disallow: \/private\/$/m);
    expect(text).toMatch(/^Disallow: \/cart$/m);
    expect((await fetch(`${sim.web.baseUrl}/private/queue`)).status).toBe(200);
  });

  it('lists every product and pages through every review of a product via rel="next"', async () => {
    const index = await (await fetch(`${sim.web.baseUrl}/products`)).text();
    for (const p of world.products) expect(index).toContain(`href="/products/${p.id}"`);
    const counts = new Map<string, number>();
    for (const r of world.web.reviews) counts.set(r.productId, (counts.get(r.productId) ?? 0) + 1);
    const [productId, count] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(count).toBeGreaterThan(10);
    const seen: { id: string; reviewer: string; rating: number; time: string }[] = [];
    let next: string | undefined = `/products/${productId}`;
    let pages = 0;
    while (next) {
      const html: string = await (await fetch(`${sim.web.baseUrl}${next}`)).text();
      for (const m of html.matchAll(/<article class="review" data-review-id="([^"]+)"[\s\S]*?<span class="reviewer">([^<]*)<\/span>[\s\S]*?data-rating="(\d)"[\s\S]*?<time datetime="([^"]+)"/g)) {
        seen.push({ id: m[1], reviewer: m[2], rating: Number(m[3]), time: m[4] });
      }
      next = /<link rel="next" href="([^"]+)">/.exec(html)?.[1];
      pages++;
    }
    expect(pages).toBe(Math.ceil(count / 10));
    const expected = world.web.reviews.filter((r) => r.productId === productId);
    expect(seen.map((s) => s.id).sort()).toEqual(expected.map((r) => r.id).sort());
    for (const s of seen) {
      const r = expected.find((x) => x.id === s.id);
      expect(s.rating).toBe(r?.rating);
      // Review sites show days: the page's datetime is the review's date.
      expect(s.time).toBe(new Date(r?.createdAt as number).toISOString().slice(0, 10));
    }
    expect((await fetch(`${sim.web.baseUrl}/products/${productId}?page=999`)).status).toBe(404);
    expect((await fetch(`${sim.web.baseUrl}/products/B0NOSUCHXX`)).status).toBe(404);
  });

  it('escapes hostile review text', async () => {
    const p = world.products[1];
    sim.web.sim.addReview({ productId: p.id, reviewer: '<img src=x onerror=alert(1)>', rating: 5, title: '"><script>alert(1)</script>', text: 'Tom & Jerry <b>bold</b>' });
    const html = await (await fetch(`${sim.web.baseUrl}/products/${p.id}`)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt;');
  });
});
