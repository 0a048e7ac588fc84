import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/server';
import { DEFAULT_TWITTER_APPS } from '../../sim/twitter';
import { generateWorld } from '../../sim/world';
import { getJson, redditToken } from './helpers';

const world = generateWorld({ seed: 3, scale: 'small' });
const BEARER = DEFAULT_TWITTER_APPS[0].bearerToken;

describe('fault injection', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ world, rateLimits: { reddit: { limit: 10_000, windowMs: 60_000 }, twitter: { limit: 10_000, windowMs: 60_000 } } });
    token = await redditToken(sim.reddit.authUrl);
  });
  afterAll(() => sim.close());
  const redditNew = () => getJson(`${sim.reddit.baseUrl}/r/gadgets/new?limit=1`, token);
  const xSearch = () => getJson(`${sim.twitter.baseUrl}tweets/search/recent?query=the`, BEARER);

  it('injects 5xx every Nth request, in bursts, with each platform’s error shape', async () => {
    sim.setFaults({ error5xx: { everyNth: 3, burst: 2, status: 502 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await redditNew()).status);
    expect(statuses).toEqual([200, 200, 502, 502, 200, 502, 502, 200]);
    sim.setFaults({ error5xx: { everyNth: 1, status: 503 } });
    const x = await getJson<Record<string, unknown>>(`${sim.twitter.baseUrl}tweets/search/recent?query=the`, BEARER);
    expect(x.status).toBe(503);
    expect(x.body).toMatchObject({ title: 'Service Unavailable', status: 503 });
    const r = await redditNew();
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('text/html');
    sim.setFaults({});
    expect((await redditNew()).status).toBe(200);
  });

  it('makes probabilistic faults deterministic for a seed', async () => {
    const run = async () => {
      sim.setFaults({ seed: 42, error5xx: { probability: 0.4 } });
      const out: number[] = [];
      for (let i = 0; i < 15; i++) out.push((await xSearch()).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(503);
    expect(a).toContain(200);
    sim.setFaults({});
  });

  it('runs a 429 storm for its duration with rate headers, then recovers', async () => {
    sim.setFaults({ storm429: { durationMs: 600 } }, 'reddit');
    const r = await redditNew();
    expect(r.status).toBe(429);
    expect(r.headers.get('x-ratelimit-remaining')).toBe('0.0');
    expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect((await xSearch()).status).toBe(200);
    sim.setFaults({ storm429: { durationMs: 600 } }, 'twitter');
    const x = await xSearch();
    expect(x.status).toBe(429);
    expect(x.headers.get('x-rate-limit-remaining')).toBe('0');
    // Epoch seconds on the server's clock (X's is the world's: its Date header).
    expect(Number(x.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.parse(x.headers.get('date') as string) / 1000));
    await new Promise((res) => setTimeout(res, 700));
    expect((await redditNew()).status).toBe(200);
    expect((await xSearch()).status).toBe(200);
    const stats = sim.stats();
    expect(stats.log.filter((l) => l.fault === '429').length).toBe(2);
    sim.setFaults({});
  });

  it('delays responses', async () => {
    sim.setFaults({ delayMs: 250 }, 'web');
    const t0 = Date.now();
    expect((await fetch(`${sim.web.baseUrl}/products`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    sim.setFaults({}, 'web');
  });

  it('resets connections', async () => {
    sim.setFaults({ reset: { everyNth: 1 } }, 'reddit');
    await expect(fetch(`${sim.reddit.baseUrl}/r/gadgets/new`, { headers: { authorization: `bearer ${token}` } })).rejects.toThrow();
    sim.setFaults({}, 'reddit');
    expect((await redditNew()).status).toBe(200);
    expect(sim.stats().log.some((l) => l.fault === 'reset' && l.status === 0)).toBe(true);
  });

  it('truncates or garbles JSON bodies', async () => {
    sim.setFaults({ malformed: { everyNth: 1, mode: 'truncate' } }, 'twitter');
    const res = await fetch(`${sim.twitter.baseUrl}tweets/search/recent?query=the`, { headers: { authorization: `Bearer ${BEARER}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    sim.setFaults({ malformed: { everyNth: 1, mode: 'garbage' } }, 'reddit');
    const r = await fetch(`${sim.reddit.baseUrl}/r/gadgets/new`, { headers: { authorization: `bearer ${token}` } });
    const body = await r.text();
    expect(body.startsWith('<html>')).toBe(true);
    sim.setFaults({});
  });

  it('shifts the server clock: Date and epoch reset headers move with it', async () => {
    const offset = 3_600_000;
    // X's clock is the world's; the fault shifts it further.
    const before = await getJson(`${sim.twitter.baseUrl}users/${world.twitter.users[0].id}`, BEARER);
    const unshifted = Date.parse(before.headers.get('date') as string) - Date.now();
    expect(Math.abs(unshifted - (world.now - Date.now()))).toBeLessThan(60_000);
    sim.setFaults({ clockOffsetMs: offset }, 'twitter');
    const x = await getJson(`${sim.twitter.baseUrl}users/${world.twitter.users[0].id}`, BEARER);
    const serverDate = Date.parse(x.headers.get('date') as string);
    expect(serverDate - Date.now() - unshifted).toBeGreaterThan(offset - 5_000);
    expect(Number(x.headers.get('x-rate-limit-reset')) * 1000 - Date.now() - unshifted).toBeGreaterThan(offset - 5_000);
    sim.setFaults({}, 'twitter');
  });

  it('can limit faults to matching paths', async () => {
    sim.setFaults({ pathPattern: '^/user/', error5xx: { everyNth: 1 } }, 'reddit');
    expect((await redditNew()).status).toBe(200);
    expect((await getJson(`${sim.reddit.baseUrl}/user/${world.reddit.users[0].name}/about`, token)).status).toBe(503);
    sim.setFaults({});
  });

  it('lets the first N matching requests through before the faults start', async () => {
    sim.setFaults({ pathPattern: '/new$', afterRequests: 2, error5xx: { probability: 1 } }, 'reddit');
    const about = () => getJson(`${sim.reddit.baseUrl}/user/${world.reddit.users[0].name}/about`, token);
    const statuses = [(await redditNew()).status, (await about()).status, (await redditNew()).status, (await redditNew()).status, (await redditNew()).status];
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    // Setting the faults again starts the count again.
    sim.setFaults({ pathPattern: '/new$', afterRequests: 1, error5xx: { probability: 1 } }, 'reddit');
    expect([(await redditNew()).status, (await redditNew()).status]).toEqual([200, 503]);
    sim.setFaults({});
  });
});
