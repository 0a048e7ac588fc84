// The web crawler checks every redirect hop against the allowlist (crawlers/platforms/web/source.ts
// fetches each browser request itself without following redirects): a redirect
// inside the allowlist is followed and its reviews stored.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSource } from '../../crawlers/platforms/web/source';
import { type Simulator, startSimulator } from '../../sim';
import { testStore } from '../helpers/store';
import { crawl, simConfig } from './helpers';

let sim: Simulator;
let shortener: http.Server;
let shortHost: string;
beforeAll(async () => {
  sim = await startSimulator({ seed: 4, scale: 'small' });
  // A link shortener on another allowed host: /p/<id> → the review site's product page.
  shortener = http.createServer((req, res) => {
    if (req.url === '/robots.txt') return res.end('User-agent: *\nAllow: /\n');
    res.writeHead(302, { location: `${sim.web.baseUrl}/products/${req.url?.split('/').pop()}` }).end();
  });
  await new Promise<void>((r) => shortener.listen(0, '127.0.0.1', r));
  shortHost = `127.0.0.1:${(shortener.address() as AddressInfo).port}`;
});
afterAll(async () => {
  shortener?.close();
  await sim?.close();
});

describe('web crawler redirects', () => {
  it('follows a redirect to another allowed host and stores that page', async () => {
    const store = await testStore();
    const product = sim.world.web.reviews[0].productId;
    const config = simConfig(sim, { web: { startUrls: [`http://${shortHost}/p/${product}`], allowDomains: [shortHost, new URL(sim.web.baseUrl).host], perDomainDelayMs: 0 } });
    const source = new WebSource({ config });
    try {
      const report = await crawl(source, store);
      expect(report.errorMessages).toEqual([]);
      const want = sim.world.web.reviews.filter((r) => r.productId === product).map((r) => r.id).sort();
      const stored = (await store.posts.find({ platform: 'web' })).map((p) => p.externalId).sort();
      expect(stored).toEqual(want);
    } finally {
      await source.close();
      await store.close();
    }
  });
});
