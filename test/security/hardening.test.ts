// Server hardening (issue 14.10): analysts get no case contents through GET /api/rings/:id
// (the full report is a policy export); a key in a query string never reaches the log; the
// docs page has a CSP and may not be framed; GEXF stays valid XML for hostile handles;
// detect killed -9 while writing leaves no account naming a ring that is not stored.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { Binary } from 'mongodb';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { REDACT_PATHS } from '../../config/logger';
import { loadRingReport } from '../../queries/ring-report';
import { ringGexf } from '../../reports/gexf';
import { useServedWorld } from '../server/world';
import { logSink } from '../helpers/log-sink';

const logLines: string[] = [];
const served = useServedWorld({ log: pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, logSink(logLines)) });

async function call(p: string, key?: string) {
  const res = await fetch(`${served.base}${p}`, { headers: key ? { 'x-api-key': key } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (() => { try { return JSON.parse(text); } catch { return null; } })() };
}

describe('server hardening', () => {
  it('gives analysts the linked cases of a ring without their text, customer or order; policy gets the report', async () => {
    const linked = (await served.w.store.rings.find({})).find((r) => r.links.length > 0);
    expect(linked).toBeDefined();
    const id = linked?._id as string;
    const asAnalyst = await call(`/api/rings/${id}`, served.w.keys.analyst);
    expect(asAnalyst.status).toBe(200);
    expect(asAnalyst.json.escalations.length).toBeGreaterThan(0);
    for (const c of asAnalyst.json.escalations) {
      for (const field of ['text', 'customerId', 'customerHandle', 'orderId', 'refundAmount', 'analysis']) expect(c, field).not.toHaveProperty(field);
    }
    const asPolicy = await call(`/api/rings/${id}`, served.w.keys.policy);
    expect(asPolicy.json.escalations.some((c: { text?: string }) => c.text)).toBe(true);
  });

  it('never logs an API key sent in the query string', async () => {
    const key = served.w.keys.admin;
    const secret = key.slice(16);
    for (const p of [`/api/me?api_key=${key}`, `/api/nope?key=${key}`, `/api/accounts?limit=abc&token=${key}`, `/docs/?apiKey=${key}`]) await call(p);
    await call(`/api/me?x=${encodeURIComponent(key)}`, served.w.keys.analyst);
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(secret);
  });

  it('serves /docs with a CSP that forbids framing', async () => {
    const page = await call('/docs/static/index.html');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('writes valid XML 1.0 GEXF when handles hold control characters', async () => {
    const ring = (await served.w.store.rings.find({}))[0];
    const member = ring.members[0];
    await served.w.store.accounts.setMany([{ id: member, set: { handle: 'bad\u0001\u0008\u000b\u001f\uFFFEname\uD800' } }]);
    const gexf = ringGexf(await loadRingReport(served.w.store, ring._id));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 forbids are what is looked for
    expect(gexf).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|&#x?0*(?:[0-8]|1[1-2]|1[4-9]|2\d|3[01]|[bcef]|1[0-9a-f]);/i);
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level: string, msg: string) => level !== 'warning' && errors.push(msg) } as never).parseFromString(gexf, 'text/xml');
    expect(errors).toEqual([]);
    expect(doc.getElementsByTagName('node').length).toBe(ring.members.length);
  });

  it('detect killed -9 while writing leaves no account naming a ring that is not stored', async () => {
    const { store } = served.w;
    await store.rings.deleteMany({});
    const runId = `detect-kill-${Date.now()}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-detect-kill-'));
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/security/detect-child.ts')], {
      env: { ...process.env, STORE_URI: inject('storeUri'), STORE_DB: store.describe().database, CHILD_DIR: dir, RUN_ID: runId },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => child.on('exit', r));
    // Wait for the first written score that names a ring (in the run's own scores collection,
    // storage/scores.ts, before or after it becomes the latest), then kill at once.
    const db = store.accounts.collection.db;
    let named: string[] = [];
    for (let i = 0; i < 3000 && named.length === 0; i++) {
      const meta = (await db.collection('meta').findOne({ _id: 'scores' as never })) as { runs?: { runId: string; collection: string }[] } | null;
      const own = meta?.runs?.find((r) => r.runId === runId)?.collection;
      // Packed: 1,000 scores a document, the summaries as deflated JSON rows [account, score, ring or 0, run, time].
      const chunks = own ? await db.collection(own).find({}, { projection: { summary: 1 } }).toArray() : [];
      const rows = (d: Record<string, unknown>) => JSON.parse(d.summary instanceof Binary ? inflateRawSync(d.summary.buffer).toString('utf8') : String(d.summary)) as [string, number, string | 0][];
      named = [...new Set(chunks.flatMap((d) => rows(d).map((r) => r[2]).filter((r): r is string => !!r)))];
      if (named.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    expect(named.length, stderr).toBeGreaterThan(0);
    const latest = new Set<string>();
    for await (const s of store.scores.summaries()) if (s.ringId) latest.add(s.ringId);
    const stored = new Set((await store.rings.getMany([...named, ...latest])).map((r) => r._id));
    expect([...named, ...latest].filter((r) => !stored.has(r))).toEqual([]);
  }, 120_000);
});
