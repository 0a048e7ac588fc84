// Trust boundaries of configuration, secrets and crawl targets (docs/security.md):
//  - a malicious or careless config file cannot carry secrets or unknown keys, nor pollute prototypes;
//  - secrets never reach JSON output, logs or Redis key names;
//  - the web crawler refuses targets outside web.allowDomains before sending anything (SSRF),
//    and (known gap) a redirect from an allowed site to another host.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../config/index';
import { createLogger } from '../../config/logger';
import { crawlSource } from '../../crawlers/engine';
import { TwitterSource } from '../../crawlers/platforms/twitter/source';
import { RefusedUrlError, WebSource } from '../../crawlers/platforms/web/source';
import { redisConnection } from '../../jobs/distributed/queues';
import { sharedGateFactory } from '../../jobs/distributed/shared-gate';
import { DEFAULT_TWITTER_APPS, startSimulator } from '../../sim/index';
import { startRedis } from '../helpers/redis';
import { testStore } from '../helpers/store';
import { logSink } from '../helpers/log-sink';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'ringwatch-sec-'));

describe('malicious configuration', () => {
  const load = (obj: unknown) => {
    const d = dir();
    writeFileSync(path.join(d, 'ringwatch.config.json'), typeof obj === 'string' ? obj : JSON.stringify(obj));
    return () => loadConfig({ cwd: d, env: { RINGWATCH_DATA: d } });
  };
  it('refuses secrets in a file, unknown keys and wrong types, naming the key', () => {
    expect(load({ secrets: { redisUrl: 'redis://x' } })).toThrow(/secrets.*environment/);
    expect(load({ reddit: { baseUrl: 'https://x', exfiltrate: 1 } })).toThrow(ConfigError);
    expect(load({ server: { port: 'eighty' } })).toThrow(/server\.port/);
    expect(load({ reddit: { baseUrl: 'file:///etc/passwd' } })).toThrow(/reddit\.baseUrl/);
    expect(load('{"web": ')).toThrow(/not valid JSON/);
  });
  it('a __proto__ key pollutes nothing', () => {
    try {
      load('{"__proto__": {"polluted": true}, "server": {"__proto__": {"polluted": true}}}')();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('secrets', () => {
  const env = { REDIS_URL: 'redis://:hunter2-redis@127.0.0.1:1', MONGODB_URI: 'mongodb://u:hunter2-mongo@127.0.0.1:1/', REDDIT_CLIENT_SECRET: 'hunter2-reddit', TWITTER_BEARER_TOKEN: 'hunter2-x' };
  it('are not in the config as JSON, nor in describeConfig', () => {
    const d = dir();
    const config = loadConfig({ cwd: d, env: { RINGWATCH_DATA: d, ...env } });
    expect(config.secrets.redisUrl).toBe(env.REDIS_URL);
    for (const shown of [JSON.stringify(config), JSON.stringify(describeConfig(config))]) for (const v of Object.values(env)) expect(shown).not.toContain(v);
  });
  it('are redacted from logs wherever a field carries them', () => {
    const lines: string[] = [];
    const log = createLogger('debug', logSink(lines) as never);
    log.info({ password: 'hunter2-a', token: 'hunter2-b', req: { headers: { authorization: 'Bearer hunter2-c', 'x-api-key': 'hunter2-d' } }, access_token: 'hunter2-e', refresh_token: 'hunter2-f', nested: { client_secret: 'hunter2-g' } }, 'x');
    expect(lines.join('')).not.toMatch(/hunter2/);
  });
  it('are not in Redis: shared rate gates are named by client id or a hash of the token', async () => {
    const redis = await startRedis();
    const sim = await startSimulator({ seed: 4, scale: 'small' });
    const conn = redisConnection(redis.url);
    const store = await testStore();
    try {
      const d = dir();
      const token = DEFAULT_TWITTER_APPS[0].bearerToken;
      const config = loadConfig({ cwd: d, env: { RINGWATCH_DATA: d, TWITTER_BASE_URL: sim.twitter.baseUrl, TWITTER_BEARER_TOKEN: token }, overrides: { twitter: { queries: ['brevio'] } } });
      const source = new TwitterSource({ config, bearerToken: token, gates: sharedGateFactory(conn, 'sec') });
      const r = await crawlSource(source, { store, log: createLogger('silent'), signal: new AbortController().signal, budget: { max: 3, used: 0 } });
      expect(r.requests).toBeGreaterThan(0);
      const keys = await conn.keys('sec:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k).not.toContain(token);
      for (const k of keys) for (const v of Object.values(await conn.hgetall(k).catch(() => ({})))) expect(v).not.toContain(token);
    } finally {
      conn.disconnect();
      await store.close();
      await sim.close();
      redis.dispose();
    }
  });
});

describe('SSRF through crawl URLs', () => {
  let trap: http.Server;
  let trapHits = 0;
  let trapUrl: string;
  let site: http.Server;
  let siteHost: string;
  let siteHits = 0;
  beforeAll(async () => {
    // Stands for an internal service (cloud metadata, an admin port): it must never be asked anything.
    trap = http.createServer((_req, res) => {
      trapHits++;
      res.end('secret');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    // An allowed site that redirects to the internal service.
    site = http.createServer((req, res) => {
      if (req.url === '/robots.txt') return res.end('User-agent: *\nAllow: /\n');
      siteHits++;
      res.writeHead(302, { location: `${trapUrl}/latest/meta-data/` }).end();
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    trap?.close();
    site?.close();
  });

  const web = (startUrls: string[]) => {
    const d = dir();
    const config = loadConfig({ cwd: d, env: { RINGWATCH_DATA: d }, overrides: { web: { startUrls, allowDomains: [siteHost], perDomainDelayMs: 0, maxPages: 5 }, crawl: { maxRetries: 0, requestTimeoutMs: 5000 } } });
    return new WebSource({ config });
  };

  it('refuses start URLs and links outside web.allowDomains, and non-http schemes, before any request', async () => {
    const source = web([]);
    for (const u of [`${trapUrl}/`, 'http://169.254.169.254/latest/meta-data/', 'http://localhost:6379/', 'file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', `http://${siteHost}@127.0.0.1:${trapUrl.split(':')[2]}/`]) {
      await expect(source.check(u), u).rejects.toBeInstanceOf(RefusedUrlError);
    }
    await source.close();
    expect(trapHits).toBe(0);
  });

  it('does not follow a redirect from an allowed site to a host outside the allowlist', async () => {
    const store = await testStore();
    const source = web([`http://${siteHost}/products`]);
    try {
      await crawlSource(source, { store, log: createLogger('silent'), signal: new AbortController().signal });
    } finally {
      await source.close();
      await store.close();
    }
    // The browser did load the allowed page (else the test proves nothing)…
    expect(siteHits).toBeGreaterThan(0);
    // …and did not follow its redirect to the internal service.
    expect(trapHits).toBe(0);
  }, 60_000);
});
