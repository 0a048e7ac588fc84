// The HTTP API against a real server on 127.0.0.1 with the embedded store holding a
// small simulator world after import and detection.
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../../config/logger';
import { buildServer } from '../../server/app';
import { TokenBuckets } from '../../server/ratelimit';
import { runDetect } from '../../jobs/detect';
import { jobCtx, type SeededWorld, seedWorld, serveWorld } from './world';
import { summaries } from '../helpers/scores';
import { logSink } from '../helpers/log-sink';

let w: SeededWorld;
let base: string;
let close: () => Promise<void>;
const logLines: string[] = [];

async function call(path: string, opts: { key?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: opts.method ?? 'GET',
    headers: {
      ...(opts.key ? { 'x-api-key': opts.key } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.headers ?? {}),
    },
    body: opts.body !== undefined ? (typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)) : undefined,
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text, headers: res.headers };
}

beforeAll(async () => {
  w = await seedWorld();
  const log = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, logSink(logLines));
  ({ base, close } = await serveWorld(w, log));
}, 180_000);

afterAll(async () => {
  await close?.();
  await w?.store.close();
});

describe('auth and roles', () => {
  it('401 without a key, with a malformed key and with a wrong secret', async () => {
    expect((await call('/api/accounts')).status).toBe(401);
    expect((await call('/api/accounts', { key: 'rw_nope' })).status).toBe(401);
    const wrong = w.keys.analyst.replace(/_[^_]+$/, `_${'A'.repeat(43)}`);
    expect((await call('/api/accounts', { key: wrong })).status).toBe(401);
    expect((await call('/api/accounts', { headers: { authorization: `Bearer ${w.keys.analyst}` } })).status).toBe(200);
  });

  it('each route answers 401/403/2xx by role', async () => {
    const ring = w.ringIds[0];
    const routes: { path: string; method?: string; body?: unknown; need: 'analyst' | 'policy' | 'admin' }[] = [
      { path: '/api/accounts', need: 'analyst' },
      { path: '/api/rings', need: 'analyst' },
      { path: `/api/rings/${ring}`, need: 'analyst' },
      { path: '/api/posts', need: 'analyst' },
      { path: '/api/escalations', need: 'analyst' },
      { path: '/api/kpis', need: 'analyst' },
      { path: '/api/overview', need: 'analyst' },
      { path: '/api/runs', need: 'analyst' },
      { path: `/api/rings/${ring}/report?format=json`, need: 'policy' },
      { path: `/api/rings/${ring}/review`, method: 'PATCH', body: { version: 999, note: 'x' }, need: 'policy' },
      { path: '/api/keys', need: 'admin' },
      { path: '/api/config', need: 'admin' },
      { path: '/api/jobs', method: 'POST', body: { job: 'no-such-job' }, need: 'admin' },
    ];
    const rank = { analyst: 1, policy: 2, admin: 3 };
    for (const r of routes) {
      expect((await call(r.path, { method: r.method, body: r.body })).status, `${r.path} without key`).toBe(401);
      for (const role of ['analyst', 'policy', 'admin'] as const) {
        const res = await call(r.path, { method: r.method, body: r.body, key: w.keys[role] });
        if (rank[role] < rank[r.need]) expect(res.status, `${r.path} as ${role}`).toBe(403);
        else expect(res.status, `${r.path} as ${role}: ${res.text.slice(0, 200)}`).not.toBe(403);
        expect(res.status).toBeLessThan(500);
      }
    }
  });

  it('stores keys hashed with a salt, never the secret; a revoked key stops working', async () => {
    const created = await call('/api/keys', { method: 'POST', key: w.keys.admin, body: { role: 'analyst', name: 'temp' } });
    expect(created.status).toBe(201);
    const { id, key } = created.json;
    const secret = key.slice(16);
    const doc = await w.store.apiKeys.get(id);
    expect(doc?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc?.salt).toMatch(/^[0-9a-f]{32}$/);
    const everything = JSON.stringify(await w.store.apiKeys.find({}));
    for (const k of [key, secret, ...Object.values(w.keys).map((k) => k.slice(16))]) expect(everything).not.toContain(k);
    expect((await call('/api/me', { key })).json).toMatchObject({ id, role: 'analyst' });
    const listed = await call('/api/keys', { key: w.keys.admin });
    expect(JSON.stringify(listed.json)).not.toMatch(/"hash"|"salt"/);
    expect((await call(`/api/keys/${id}`, { method: 'DELETE', key: w.keys.admin })).status).toBe(200);
    expect((await call('/api/me', { key })).status).toBe(401);
    const audit = await w.store.audit.find({ target: `api_key:${id}` }, { sort: { at: 1 } });
    expect(audit.map((a) => a.action)).toEqual(['key.create', 'key.revoke']);
  });
});

describe('rate limit', () => {
  it('refills a per-key bucket continuously', () => {
    let t = 0;
    const b = new TokenBuckets(60, () => t);
    for (let i = 0; i < 60; i++) expect(b.take('k').allowed).toBe(true);
    expect(b.take('k')).toMatchObject({ allowed: false, retryAfter: 1 });
    expect(b.take('other').allowed).toBe(true);
    t += 1000;
    expect(b.take('k').allowed).toBe(true);
    expect(b.take('k').allowed).toBe(false);
  });

  it('answers 429 with Retry-After once a key spends its minute, other keys unaffected', async () => {
    const config = { ...w.store.config, server: { ...w.store.config.server, rateLimitPerMinute: 3 } };
    const app = await buildServer({ store: w.store, config, log: pino({ level: 'silent' }) });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/api/me', headers: { 'x-api-key': w.keys.analyst } })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await app.inject({ url: '/api/me', headers: { 'x-api-key': w.keys.analyst } });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await app.inject({ url: '/api/me', headers: { 'x-api-key': w.keys.policy } })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('analyst queries', () => {
  it('lists accounts by score with stable cursor pages, even when accounts are inserted between pages', async () => {
    const first = await call('/api/accounts?limit=100&minScore=0.1', { key: w.keys.analyst });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(100);
    const scores = first.json.items.map((a: any) => a.suspicion.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // New high scorers arrive between pages; the next page must not repeat or skip.
    const now = new Date();
    await w.store.accounts.upsertMany(
      Array.from({ length: 5 }, (_, i) => ({ _id: `test:new${i}`, platform: 'test', handle: `new${i}`, firstSeenAt: now, lastSeenAt: now, suspicion: { score: 0.999, indicators: [], evidencePosts: [], detectedAt: now, runId: 'x' } })),
    );
    const seen = new Set<string>(first.json.items.map((a: any) => a._id));
    let cursor = first.json.nextCursor;
    let pages = 0;
    let last = scores[scores.length - 1];
    while (cursor && pages < 50) {
      const page = await call(`/api/accounts?limit=100&minScore=0.1&cursor=${cursor}`, { key: w.keys.analyst });
      expect(page.status).toBe(200);
      for (const a of page.json.items) {
        expect(seen.has(a._id), `repeated ${a._id}`).toBe(false);
        expect(a.suspicion.score).toBeLessThanOrEqual(last);
        last = a.suspicion.score;
        seen.add(a._id);
      }
      cursor = page.json.nextCursor;
      pages++;
    }
    // The run's scores plus the 5 accounts stored with a score of their own.
    let total = 5;
    for await (const s of w.store.scores.summaries()) if (s.score >= 0.1) total++;
    expect(seen.size).toBe(total - 5);
    await w.store.accounts.deleteMany({ platform: 'test' });
  });

  it('filters accounts by platform, ring, product and handle substring (regex characters are literal)', async () => {
    const ring = w.ringIds[0];
    const inRing = await call(`/api/accounts?ring=${ring}&limit=500`, { key: w.keys.analyst });
    const detail = await call(`/api/rings/${ring}`, { key: w.keys.analyst });
    expect(inRing.json.items.map((a: any) => a._id).sort()).toEqual(
      (await summaries(w.store)).filter((s) => s.ringId === ring).map((s) => s.accountId).sort(),
    );
    expect(detail.json.ring.members.length).toBeGreaterThan(1);
    const reddit = await call('/api/accounts?platform=twitter&limit=50', { key: w.keys.analyst });
    expect(reddit.json.items.every((a: any) => a.platform === 'twitter')).toBe(true);
    const product = detail.json.ring.products[0];
    const byProduct = await call(`/api/accounts?product=${encodeURIComponent(product)}&limit=500`, { key: w.keys.analyst });
    expect(byProduct.json.items.length).toBeGreaterThan(0);
    const evil = await call(`/api/accounts?handle=${encodeURIComponent('<IMG SRC=X')}`, { key: w.keys.analyst });
    expect(evil.json.items.map((a: any) => a._id)).toEqual([w.xssAccountId]);
    const dot = await call(`/api/accounts?handle=${encodeURIComponent('.*')}`, { key: w.keys.analyst });
    expect(dot.status).toBe(200);
    expect(dot.json.items).toHaveLength(0);
  });

  it('shows one account with posts timeline and evidence, rings with members, posts by product, cases with ring links, KPIs', async () => {
    const acc = await call(`/api/accounts/${encodeURIComponent(w.xssAccountId)}`, { key: w.keys.analyst });
    expect(acc.status).toBe(200);
    expect(acc.json.posts.length).toBeGreaterThan(0);
    expect(acc.json.account.suspicion.indicators.length).toBeGreaterThan(0);
    expect((await call('/api/accounts/reddit%3Au%2Fno-such-user', { key: w.keys.analyst })).status).toBe(404);

    const rings = await call('/api/rings?status=new&minScore=0.5', { key: w.keys.analyst });
    expect(rings.json.items.length).toBeGreaterThan(0);
    expect(rings.json.items.every((r: any) => r.status === 'new' && r.score >= 0.5)).toBe(true);
    const linkedRing = (await w.store.rings.find({})).find((r) => r.links.length > 0);
    expect(linkedRing, 'the small world links at least one ring to a case').toBeTruthy();
    const caseId = linkedRing!.links[0].caseId;
    const esc = await call(`/api/escalations/${encodeURIComponent(caseId)}`, { key: w.keys.analyst });
    expect(esc.json.rings.map((r: any) => r._id)).toContain(linkedRing!._id);
    const linked = await call(`/api/escalations?ring=${linkedRing!._id}`, { key: w.keys.analyst });
    expect(linked.json.items.map((c: any) => c._id)).toContain(caseId);

    const product = linkedRing!.products[0];
    const posts = await call(`/api/posts?product=${encodeURIComponent(product)}&limit=10`, { key: w.keys.analyst });
    expect(posts.json.items.length).toBeGreaterThan(0);
    expect(posts.json.items[0].enrichment?.minhash).toBeUndefined();

    const kpis = await call('/api/kpis?by=week,region', { key: w.keys.analyst });
    const all = kpis.json.items.find((r: any) => r.week === 'ALL' && r.region === 'ALL');
    expect(all.escalations).toBe(await w.store.escalations.count());
    expect(all.ftds).toBeGreaterThan(0);
  });
});

describe('validation', () => {
  it('rejects operator injection with a 400 that says why', async () => {
    const k = { key: w.keys.analyst };
    for (const q of ['platform[$ne]=x', 'platform%5B%24ne%5D=x', 'handle[$regex]=.*', 'suspicion.score=1', '$where=1']) {
      const r = await call(`/api/accounts?${q}`, k);
      expect(r.status, q).toBe(400);
      expect(r.json.message).toMatch(/not accepted|operator/);
    }
    for (const v of ['{"$ne":"x"}', '{"$gt":""}', '$ne']) {
      const r = await call(`/api/accounts?platform=${encodeURIComponent(v)}`, k);
      expect(r.status, v).toBe(400);
      expect(r.json.message).toMatch(/operator/);
    }
    const body = await call(`/api/rings/${w.ringIds[0]}/review`, { method: 'PATCH', key: w.keys.policy, body: { version: 1, status: { $ne: 'x' } } });
    expect(body.status).toBe(400);
    const nested = await call('/api/jobs', { method: 'POST', key: w.keys.admin, body: { job: 'detect', params: { since: { $gt: '' } } } });
    expect(nested.status).toBe(400);
    expect(nested.json.message).toMatch(/operator/);
    expect((await call('/api/accounts?minScore=2', k)).json.message).toMatch(/minScore/);
    expect((await call('/api/accounts?sort=password', k)).status).toBe(400);
    expect((await call('/api/accounts?nope=1', k)).json.message).toMatch(/unknown query parameter "nope"/);
    expect((await call('/api/accounts?cursor=abc', k)).status).toBe(400);
    expect((await call('/api/rings?since=2026-02-30T99:00', k)).status).toBe(400);
    // Numbers beyond a double's range parse as Infinity (the fuzz below found it on /api/rings).
    for (const p of ['/api/accounts', '/api/rings', '/api/posts', '/api/escalations', '/api/runs']) {
      for (const v of ['1e309', '-1e309', 'Infinity']) {
        const r = await call(`${p}?limit=${v}`, k);
        expect(r.status, `${p}?limit=${v}: ${r.text.slice(0, 200)}`).toBe(400);
        expect(r.json.message).toMatch(/limit/);
      }
    }
    expect((await call('/api/accounts?minScore=1e309', k)).status).toBe(400);
    const huge = await call(`/api/rings/${w.ringIds[0]}/review`, { method: 'PATCH', key: w.keys.policy, body: '{"version":1e309,"status":"in_review"}' });
    expect(huge.status).toBe(400);
    expect(huge.json.message).toMatch(/version/);
  });

  it('never answers 500 to arbitrary query strings (fuzz)', async () => {
    const paths = ['/api/accounts', '/api/rings', '/api/posts', '/api/escalations', '/api/kpis', '/api/runs'];
    const names = ['platform', 'minScore', 'maxScore', 'ring', 'product', 'handle', 'sort', 'order', 'limit', 'cursor', 'status', 'since', 'until', 'week', 'region', 'by', 'linked', 'minAbuse', 'x[$ne]', '$gt', 'a.b'];
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('{"$ne":1}', '[1]', '-1', '1e309', 'NaN', '0.5', 'true', '2026-01-01', '%', '\u0000', 'score', 'asc'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), value), { maxLength: 4 }), async (p, pairs) => {
        const qs = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
        const r = await call(`${p}?${qs}`, { key: w.keys.analyst });
        expect([200, 400, 404], `${p}?${qs} → ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: 150 },
    );
  });
});

describe('policy review', () => {
  it('moves a ring new → in_review → confirmed with notes; dismissal needs a reason; every change is audited', async () => {
    const id = w.ringIds[1];
    const get = async () => (await call(`/api/rings/${id}`, { key: w.keys.analyst })).json.ring;
    let ring = await get();
    expect(ring.status).toBe('new');
    const bad = await call(`/api/rings/${id}/review`, { method: 'PATCH', key: w.keys.policy, body: { version: ring.version, status: 'confirmed' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/cannot move from new to confirmed/);
    let r = await call(`/api/rings/${id}/review`, { method: 'PATCH', key: w.keys.policy, body: { version: ring.version, status: 'in_review', assignee: 'ana' } });
    expect(r.status).toBe(200);
    expect(r.json.ring).toMatchObject({ status: 'in_review', assignee: 'ana', version: ring.version + 1 });
    ring = await get();
    const noReason = await call(`/api/rings/${id}/review`, { method: 'PATCH', key: w.keys.policy, body: { version: ring.version, status: 'dismissed' } });
    expect(noReason.status).toBe(400);
    expect(noReason.json.message).toMatch(/reason/);
    r = await call(`/api/rings/${id}/review`, { method: 'PATCH', key: w.keys.policy, body: { version: ring.version, status: 'confirmed', reason: 'template texts and shared codes', note: 'checked 5 posts' } });
    expect(r.status).toBe(200);
    const audit = (await call(`/api/rings/${id}/audit`, { key: w.keys.analyst })).json.items;
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ action: 'ring.review', before: { status: 'new' }, after: { status: 'in_review', assignee: 'ana' } });
    expect(audit[1]).toMatchObject({ before: { status: 'in_review' }, after: { status: 'confirmed', statusReason: 'template texts and shared codes' } });
    expect(audit[1].actor).toMatch(/^key:[a-z0-9]{12}\(test policy\)$/);
    expect(new Date(audit[1].at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('gives 409 to the second of two concurrent edits of the same version', async () => {
    const id = w.ringIds[2];
    const { version } = (await call(`/api/rings/${id}`, { key: w.keys.analyst })).json.ring;
    const edits = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(`/api/rings/${id}/review`, { method: 'PATCH', key: w.keys.policy, body: { version, note: `edit ${i}` } })),
    );
    const statuses = edits.map((e) => e.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    expect(edits.find((e) => e.status === 409)?.json.currentVersion).toBe(version + 1);
    const ring = await w.store.rings.get(id);
    expect(ring?.notes).toHaveLength(1);
    expect(await w.store.audit.count({ target: `ring:${id}` })).toBe(1);
  });

  it('keeps the review status, reason, notes and version through a later detection run', async () => {
    const id = w.ringIds[1];
    const before = await w.store.rings.get(id);
    expect(before?.status).toBe('confirmed');
    await runDetect(jobCtx(w.store, 'detect-2'), { window: '400d' });
    const after = await w.store.rings.get(id);
    // A reviewed ring is never rewritten by a re-run (issue 11.3): the re-score is a new
    // version the ring points at, the reviewed evidence keeps its run.
    expect(after?.runId).toBe(before?.runId);
    expect(after?.rescored?.runId).toBe('detect-2');
    expect(after).toMatchObject({ status: 'confirmed', statusReason: 'template texts and shared codes', version: before?.version, assignee: 'ana' });
    expect(after?.notes).toHaveLength(1);
  });
});

describe('jobs, docs and logs', () => {
  it('lets an admin start a job and follow it to the end; the start is audited', async () => {
    const started = await call('/api/jobs', { method: 'POST', key: w.keys.admin, body: { job: 'kpi', params: {} } });
    expect(started.status).toBe(202);
    const runId = started.json.runId;
    let run: any;
    for (let i = 0; i < 100; i++) {
      run = (await call(`/api/jobs/${encodeURIComponent(runId)}`, { key: w.keys.analyst })).json;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'api', job: 'kpi' });
    expect(run.stats.rows).toBeGreaterThan(0);
    expect(await w.store.audit.count({ target: `run:${runId}`, action: 'job.start' })).toBe(1);
    const unknown = await call('/api/jobs', { method: 'POST', key: w.keys.admin, body: { job: 'nope' } });
    expect(unknown.json.message).toMatch(/unknown job "nope"; known: .*detect/);
  });

  it('serves OpenAPI 3 with every API route and the docs page', async () => {
    const spec = (await call('/openapi.json')).json;
    expect(spec.openapi).toMatch(/^3\./);
    for (const p of ['/api/accounts', '/api/accounts/{id}', '/api/rings', '/api/rings/{id}/review', '/api/jobs', '/api/kpis', '/api/rings/{id}/report']) expect(Object.keys(spec.paths)).toContain(p);
    expect(spec.paths['/api/accounts'].get.parameters.map((p: any) => p.name)).toContain('handle');
    expect((await call('/docs/')).status).toBe(200);
  });

  it('never writes a key or its secret to the logs', async () => {
    await call('/api/me', { key: w.keys.admin });
    await call('/api/me', { key: `${w.keys.admin}x` });
    const all = logLines.join('');
    expect(all).toContain('"url":"/api/me"');
    for (const k of Object.values(w.keys)) {
      expect(all).not.toContain(k);
      expect(all).not.toContain(k.slice(16));
    }
  });
});
