// The dashboard end to end in the Debian Chromium: log in, overview charts, rings list,
// ring page with graph, a policy review with its audit entry, account search, and
// attacker-written text that must render as text and never run.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../reports/pdf';
import { type SeededWorld, seedWorld, serveWorld, XSS } from './world';

const SHOTS = path.join(process.cwd(), '.cache', 'screens');
let w: SeededWorld;
let base: string;
let closeServer: () => Promise<void>;
let browser: Browser;
const dialogs: string[] = [];
const pageErrors: string[] = [];

async function open(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

async function login(page: Page, key: string) {
  await page.goto(`${base}/#/login`);
  await page.fill('#key', key);
  await page.click('#login');
  await page.waitForSelector('#kpi-cards');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  w = await seedWorld();
  ({ base, close: closeServer } = await serveWorld(w));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  await w?.store.close();
});

describe('dashboard in Chromium', () => {
  it('refuses a wrong key, then logs in and draws the overview charts with data', async () => {
    const page = await open();
    await page.goto(`${base}/`);
    await page.waitForSelector('#key');
    await page.fill('#key', 'rw_000000000000_nope');
    await page.click('#login');
    await expect.poll(() => page.textContent('.login .error')).toMatch(/unknown or revoked/);
    await login(page, w.keys.analyst);
    expect(await page.evaluate(() => sessionStorage.getItem('ringwatch.key'))).toBe(w.keys.analyst);
    await page.waitForSelector('[data-chart="Escalation volume"] canvas');
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
        const chart = (window as any).echarts.getInstanceByDom(el);
        const series = chart?.getOption().series ?? [];
        return { title: el.getAttribute('data-chart'), canvas: !!el.querySelector('canvas'), points: series.reduce((n: number, s: any) => n + s.data.filter((v: unknown) => v !== null).length, 0) };
      }),
    );
    expect(charts.map((c) => c.title)).toEqual(['Escalation volume', 'Abuse rate', 'FTDS by region', 'Sentiment trend']);
    for (const c of charts.slice(0, 3)) {
      expect(c.canvas).toBe(true);
      expect(c.points, String(c.title)).toBeGreaterThan(0);
    }
    expect(await page.textContent('#kpi-cards')).toMatch(/Escalations/);
    await page.screenshot({ path: path.join(SHOTS, 'overview.png') });
    await page.close();
  });

  it('lists rings sortably, opens one, and a policy user confirms it with a note that appears in the history', async () => {
    const page = await open();
    await login(page, w.keys.policy);
    await page.goto(`${base}/#/rings`);
    await page.waitForSelector('th[data-col="Members"]');
    const countRows = () => page.$$eval('tbody tr', (trs) => trs.length);
    expect(await countRows()).toBe(w.ringIds.length);
    await page.click('th[data-col="Members"]');
    const members = await page.$$eval('tbody tr td:nth-child(4)', (tds) => tds.map((td) => Number(td.textContent)));
    expect(members).toEqual([...members].sort((a, b) => b - a));

    const id = w.ringIds[0];
    await page.goto(`${base}/#/rings/${id}`);
    await page.waitForSelector('#review');
    await expect.poll(() => page.getAttribute('#graph', 'data-nodes')).not.toBeNull();
    expect(Number(await page.getAttribute('#graph', 'data-nodes'))).toBeGreaterThan(1);
    expect(await page.$('#graph canvas')).not.toBeNull();
    await page.selectOption('#review-status', 'in_review');
    await page.fill('#review-assignee', 'ana');
    await page.click('#review-save');
    await expect.poll(() => page.textContent('h1')).toMatch(/in review/);
    await page.selectOption('#review-status', 'confirmed');
    await page.fill('#review-reason', 'same template text');
    await page.fill('#review-note', 'Confirmed after reading the evidence posts');
    await page.click('#review-save');
    await expect.poll(() => page.textContent('#history')).toMatch(/Confirmed after reading the evidence posts/);
    expect(await page.textContent('#history')).toMatch(/ring\.review.*"status":"in_review".*"status":"confirmed"/s);
    const stored = await w.store.rings.get(id);
    expect(stored).toMatchObject({ status: 'confirmed', statusReason: 'same template text', assignee: 'ana' });
    const audit = await w.store.audit.find({ target: `ring:${id}` });
    expect(audit).toHaveLength(2);
    await page.screenshot({ path: path.join(SHOTS, 'ring.png'), fullPage: false });
    await page.close();
  });

  it('an analyst sees the ring without review actions', async () => {
    const page = await open();
    await login(page, w.keys.analyst);
    await page.goto(`${base}/#/rings/${w.ringIds[1]}`);
    await page.waitForSelector('text=Reviewing needs a policy or admin key');
    expect(await page.$('#review')).toBeNull();
    await page.close();
  });

  it('shows attacker-written handles and posts as text, runs none of it (ring, account, search)', async () => {
    const page = await open();
    await login(page, w.keys.policy);
    const ringId = (await w.store.accounts.get(w.xssAccountId))?.suspicion?.ringId as string;
    expect(ringId).toMatch(/^ring_/);
    await page.goto(`${base}/#/rings/${ringId}`);
    await page.waitForSelector('#evidence');
    await page.goto(`${base}/#/accounts/${encodeURIComponent(w.xssAccountId)}`);
    await page.waitForSelector('#timeline');
    const timeline = await page.textContent('#timeline');
    expect(timeline).toContain(XSS);
    expect(await page.textContent('h1')).toBe(`evil${XSS}`);
    await page.goto(`${base}/#/accounts?handle=evil`);
    await page.waitForSelector('#account-results a');
    expect(await page.textContent('#account-results')).toContain('<img src=x');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await page.$$eval('main img, main script', (els) => els.length)).toBe(0);
    // The javascript: URL of the post was not turned into a link.
    expect(await page.$$eval('a[href^="javascript:"]', (els) => els.length)).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('fits a narrow window without horizontal page scroll', async () => {
    const page = await open({ width: 390, height: 800 });
    await login(page, w.keys.policy);
    await page.goto(`${base}/#/rings/${w.ringIds[0]}`);
    await page.waitForSelector('#review');
    await page.waitForTimeout(300);
    const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(scroll).toBeLessThanOrEqual(inner + 1);
    await page.screenshot({ path: path.join(SHOTS, 'ring-narrow.png') });
    await page.goto(`${base}/#/overview`);
    await page.waitForSelector('[data-chart] canvas');
    const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(o.scroll).toBeLessThanOrEqual(o.inner + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
