// Names instead of ids and numbers that do not mislead, as the API, the CLI's tables and
// the PDFs show them: catalogue product names, readable review history, indicator labels
// with units, score changes as differences, small order bases flagged, emoji drawn.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureLabel, indicatorValue, productLabel } from '../../reports/labels';
import { htmlToPdf } from '../../reports/pdf';
import { formatChange, smallBase } from '../../reports/weekly-html';
import { useServedWorld } from './world';

const world = useServedWorld();

async function call(p: string, opts: { key?: string; method?: string; body?: unknown } = {}) {
  const res = await fetch(`${world.base}${p}`, {
    method: opts.method ?? 'GET',
    headers: { 'x-api-key': opts.key ?? world.w.keys.admin, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}


describe('names instead of ids', () => {
  it('names products from the catalogue, readable candidates, and filters accounts by product name', async () => {
    const ring = (await world.w.store.rings.get(world.w.ringIds[0]))!;
    const productId = ring.products[0];
    await world.w.store.products.upsertMany([{ _id: productId, name: 'Lumera Flex R9', aliases: ['flex r9'] }]);
    const d = (await call(`/api/rings/${ring._id}`)).json;
    expect(d.productNames[productId]).toBe('Lumera Flex R9');
    const list = (await call('/api/rings?limit=50')).json;
    expect(list.productNames[productId]).toBe('Lumera Flex R9');
    const byId = (await call(`/api/accounts?product=${encodeURIComponent(productId)}&limit=500`)).json.items.map((a: { _id: string }) => a._id).sort();
    expect(byId.length).toBeGreaterThan(0);
    const byName = (await call('/api/accounts?product=lumera%20flex%20r9&limit=500')).json.items.map((a: { _id: string }) => a._id).sort();
    expect(byName).toEqual(byId);
    expect(productLabel('cand:vexon-soundbar')).toBe('vexon soundbar (unconfirmed product)');
  });

  it('tells the review history in words, with the key holder instead of key:…(name)', async () => {
    const id = world.w.ringIds[1];
    const { version } = (await call(`/api/rings/${id}`)).json.ring;
    expect((await call(`/api/rings/${id}/review`, { method: 'PATCH', key: world.w.keys.policy, body: { version, status: 'in_review', assignee: 'ana' } })).status).toBe(200);
    const h = (await call(`/api/rings/${id}`)).json.history;
    expect(h[h.length - 1].text).toBe('status new → in review; assignee: ana');
    expect(h[h.length - 1].who).toMatch(/^test policy \(API key [a-z0-9]{8}…\)$/);
  });

  it('serves one label table with units for the dashboard, the CLI and the PDFs', async () => {
    const labels = await (await fetch(`${world.base}/labels.json`)).json();
    expect(labels.indicators.account_age).toEqual({ label: 'Young accounts (mean age)', unit: 'days' });
    expect(indicatorValue('account_age', 134.4)).toBe('134.4 days');
    expect(featureLabel('inr_first_attempt')).toBe('"Not received" although delivered at the first attempt');
    expect(featureLabel('term_still')).toBe('Text uses the word "still"');
    // The ring workflow the API enforces, in order, for the dashboard's status filter and review form.
    expect(labels.ringTransitions).toEqual({ new: ['in_review'], in_review: ['confirmed', 'dismissed', 'new'], confirmed: ['in_review'], dismissed: ['in_review'] });
    expect(Object.keys(labels.ringTransitions)).toEqual(['new', 'in_review', 'confirmed', 'dismissed']);
  });
});

describe('numbers that do not mislead', () => {
  it('shows a score change as a difference and flags per-1,000 figures from few orders', () => {
    expect(formatChange({ key: 'meanSentiment', label: '', kind: 'score', value: 0.03, previous: 0.012, higherIsWorse: false })).toEqual({ text: '▲ 0.02', worse: false });
    const per1000 = { key: 'x', label: '', kind: 'count' as const, value: 621, previous: 175, higherIsWorse: true, base: { value: 132, previous: 4000 } };
    expect(smallBase(per1000)).toBe('few orders (132 / 4,000): read with care');
    expect(smallBase({ ...per1000, base: { value: 5000, previous: 4000 } })).toBeNull();
  });

  it('says "New rings" of the same week, counted the same way, as the weekly report', async () => {
    const o = (await call('/api/overview')).json;
    const report = (await call(`/api/reports/weekly?format=json&week=${o.newRingsWeek}`)).json;
    expect(o.latest.week).toBe(report.week);
    expect(o.newRingsCount).toBe(report.newRings);
    expect(o.newRingsThisWeek.length).toBe(Math.min(10, report.newRings));
  });
});

describe('PDF glyphs', () => {
  it('draws emoji with a colour emoji font, not as boxes', async () => {
    const pdf = await htmlToPdf('<!doctype html><meta charset="utf-8"><p>great product 👍🔥 five stars</p>', { chromiumPath: '/usr/bin/chromium' });
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'ringwatch-emoji-')), 'e.pdf');
    writeFileSync(f, pdf);
    // Chromium embeds colour emoji as Type 3 bitmap glyphs; without the font only the text font is there (boxes).
    expect(execFileSync('pdffonts', [f], { encoding: 'utf8' })).toMatch(/Type 3/);
  }, 60_000);
});

describe('the account list', () => {
  it('gives each account its strongest indicators and downloads every match as CSV', async () => {
    const page = (await call('/api/accounts?limit=500')).json;
    expect(page.items.length).toBeGreaterThan(0);
    for (const a of page.items) {
      expect(a.suspicion.top.length).toBeGreaterThan(0);
      expect(a.suspicion.top.map((t: { name: string }) => t.name)).not.toContain('ring_membership');
    }
    const res = await fetch(`${world.base}/api/accounts?format=csv&platform=${page.items[0].platform}`, { headers: { 'x-api-key': world.w.keys.analyst } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('account,platform,score,handle,ring_id,top_indicators,detected_at,run_id');
    const samePlatform = page.items.filter((a: { platform: string }) => a.platform === page.items[0].platform);
    expect(lines.length - 1).toBe(samePlatform.length);
  });

  it('ringwatch accounts show takes a handle; export filters by platform and product name', async () => {
    const { execFileSync: run } = await import('node:child_process');
    const { inject } = await import('vitest');
    const env = { ...process.env, MONGODB_URI: inject('storeUri'), RINGWATCH_DB: world.w.store.describe().database, RINGWATCH_LOG_LEVEL: 'silent' };
    const cli = (args: string[]) => run(process.execPath, [path.resolve('bin/ringwatch.mjs'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
    const ring = (await world.w.store.rings.get(world.w.ringIds[0]))!;
    const account = (await world.w.store.accounts.get(ring.members[1]))!;
    expect(cli(['accounts', 'show', account.handle])).toContain(account._id);
    const csv = cli(['accounts', 'export', '--platform', account.platform, '--product', 'lumera flex r9']).trim().split('\n');
    expect(csv.length).toBeGreaterThan(1);
    expect(csv.slice(1).every((l) => l.split(',')[1] === account.platform)).toBe(true);
  }, 240_000);
});

describe('explanations and the weekly report', () => {
  it('name ring members by handle in explanations and put case counts beside the abuse share', async () => {
    const ring = (await world.w.store.rings.get(world.w.ringIds[0]))!;
    // An explanation naming a member by id, as detection writes for accounts it knows no handle of.
    const [a, b] = ring.members;
    await world.w.store.rings.upsertMany([{ ...ring, indicators: [...ring.indicators, { name: 'cohesion', value: 1, score: 0.5, explanation: `Linked to ${a} and ${b}.` }] }]);
    const d = (await call(`/api/rings/${ring._id}`)).json;
    const texts = [...d.ring.indicators, ...d.members.flatMap((m: { indicators: unknown[] }) => m.indicators)].map((i: { explanation: string }) => i.explanation);
    for (const t of texts) for (const id of ring.members) expect(t).not.toContain(id);
    const handles = new Map(d.members.map((m: { _id: string; handle: string }) => [m._id, m.handle]));
    expect(texts).toContain(`Linked to ${handles.get(a)} and ${handles.get(b)}.`);
    await world.w.store.rings.upsertMany([ring]);
    const html = await (await fetch(`${world.base}/api/reports/weekly`, { headers: { 'x-api-key': world.w.keys.policy } })).text();
    expect(html).toMatch(/\d+ of \d+ assessed cases/);
  });
});
