// The shared gate against the real simulator and a real Redis: several "processes" (each
// with its own Redis connection and gate) on one credential stay inside the platform's
// limit together and still use nearly all of it.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonAnswer, httpRequest } from '../../crawlers/http';
import { REDDIT_HEADERS } from '../../crawlers/platforms/reddit/rate-headers';
import { redisConnection } from '../../jobs/distributed/queues';
import { RateLimited, SharedGate } from '../../jobs/distributed/shared-gate';
import { countsPerFixedWindow, maxInSlidingWindow, type Simulator, startSimulator } from '../../sim/index';
import { startRedis, type TestRedis } from '../helpers/redis';
import { redditToken } from '../sim/helpers';

const LIMIT = 30;
const WINDOW = 2000;

describe('SharedGate', () => {
  let redis: TestRedis;
  let sim: Simulator;
  let token: string;
  const conns: Redis[] = [];
  const conn = () => {
    const c = redisConnection(redis.url);
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
    sim = await startSimulator({ seed: 5, scale: 'small', rateLimits: { reddit: { limit: LIMIT, windowMs: WINDOW } } });
    token = await redditToken(sim.reddit.authUrl);
  });
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await sim?.close();
    redis?.dispose();
  });

  const get = (gate: SharedGate, sub: string) =>
    gate.run(`GET /r/${sub}/new`, async () => jsonAnswer(await httpRequest({ url: `${sim.reddit.baseUrl}/r/${sub}/new?limit=5`, headers: { authorization: `bearer ${token}` }, timeoutMs: 5000 })));

  it('keeps three processes with four loops each inside N per window, using ≥ 90% of it', async () => {
    const prefix = `t${Date.now()}`;
    const gates = [0, 1, 2].map(() => new SharedGate({ name: 'reddit sim-reddit-client', style: REDDIT_HEADERS, windowMs: WINDOW, maxRetries: 2, redis: conn(), prefix }));
    sim.resetStats();
    const deadline = Date.now() + 4.2 * WINDOW;
    const subs = sim.world.subreddits;
    let i = 0;
    await Promise.all(
      gates.flatMap((g) =>
        [0, 1, 2, 3].map(async () => {
          while (Date.now() < deadline) await get(g, subs[i++ % subs.length]);
        }),
      ),
    );
    const log = sim.stats().log.filter((r) => r.platform === 'reddit' && !r.endpoint.includes('access_token'));
    expect(log.filter((r) => r.status === 429)).toHaveLength(0);
    expect(maxInSlidingWindow(log, WINDOW)).toBeLessThanOrEqual(LIMIT);
    const perWindow = [...countsPerFixedWindow(log, WINDOW).entries()].sort((a, b) => a[0] - b[0]);
    for (const [, n] of perWindow) expect(n).toBeLessThanOrEqual(LIMIT);
    // Utilisation in the windows between the first and the last (both partial).
    const middle = perWindow.slice(1, -1).map(([, n]) => n);
    expect(middle.length).toBeGreaterThanOrEqual(3);
    expect(middle.reduce((a, b) => a + b, 0) / (LIMIT * middle.length)).toBeGreaterThanOrEqual(0.9);
    // The limit was learned from the headers and shared.
    expect(gates.every((g) => g.stats.requests > 0)).toBe(true);
  });

  it('on a 429 pauses every process until the reset and throws RateLimited', async () => {
    const prefix = `t429${Date.now()}`;
    const [a, b] = [0, 1].map(() => new SharedGate({ name: 'reddit sim-reddit-client', style: REDDIT_HEADERS, windowMs: WINDOW, maxRetries: 2, redis: conn(), prefix }));
    await get(a, 'gadgets'); // learn the limit
    sim.setFaults({ storm429: { durationMs: 300 } }, 'reddit');
    const err = await get(a, 'gadgets').catch((e) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect((err as RateLimited).waitMs).toBeGreaterThan(0);
    const t0 = Date.now();
    sim.setFaults({}, 'reddit');
    // The other process waits for the pause before sending anything.
    await get(b, 'gadgets');
    expect(Date.now() - t0).toBeGreaterThanOrEqual((err as RateLimited).waitMs - 100);
    expect(b.stats.rateLimited).toBe(0);
  });
});
