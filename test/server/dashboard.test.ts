// The dashboard end to end in the Debian Chromium: log in, overview charts, rings list,
// ring page with graph, a policy review with its audit entry, account search, and
// attacker-written text that must render as text and never run.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformIds } from '../../crawlers/platforms/registry';
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
    await page.waitForSelector('[data-chart="Escalation volume"] svg');
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
        const chart = (window as any).echarts.getInstanceByDom(el);
        const series = chart?.getOption().series ?? [];
        return { title: el.getAttribute('data-chart'), drawn: !!el.querySelector('svg'), points: series.reduce((n: number, s: any) => n + s.data.filter((v: unknown) => v !== null).length, 0) };
      }),
    );
    expect(charts.map((c) => c.title)).toEqual(['Escalation volume', 'Abuse rate', 'FTDS by region', 'Sentiment trend']);
    for (const c of charts.slice(0, 3)) {
      expect(c.drawn).toBe(true);
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
    // In words, not JSON diffs; the key holder, not key:…(name).
    expect(await page.textContent('#history')).toMatch(/status new → in review.*status in review → confirmed/s);
    expect(await page.textContent('#history')).toMatch(/test policy \(API key/);
    expect(await page.textContent('#history')).not.toContain('{"');
    const stored = await w.store.rings.get(id);
    expect(stored).toMatchObject({ status: 'confirmed', statusReason: 'same template text', assignee: 'ana' });
    const audit = await w.store.audit.find({ target: `ring:${id}` });
    expect(audit).toHaveLength(2);
    await page.screenshot({ path: path.join(SHOTS, 'ring.png'), fullPage: false });
    await page.close();
  });

  it('confirms a new ring in one save, and the "Saved" message stays after the page reloads', async () => {
    const page = await open();
    await login(page, w.keys.policy);
    const id = w.ringIds[w.ringIds.length - 1];
    expect((await w.store.rings.get(id))?.status).toBe('new');
    await page.goto(`${base}/#/rings/${id}`);
    await page.waitForSelector('#review');
    await page.selectOption('#review-status', 'confirmed');
    await page.fill('#review-reason', 'one template, 40 accounts');
    await page.click('#review-save');
    await expect.poll(() => page.textContent('h1')).toMatch(/confirmed/);
    await expect.poll(() => page.textContent('#review-msg')).toMatch(/^Saved/);
    await page.waitForTimeout(500);
    expect(await page.textContent('#review-msg')).toMatch(/^Saved/);
    expect(await w.store.rings.get(id)).toMatchObject({ status: 'confirmed', statusReason: 'one template, 40 accounts' });
    const audit = await w.store.audit.find({ target: `ring:${id}` });
    expect(audit.map((a) => (a.after as { status?: string }).status)).toEqual(['in_review', 'confirmed']);
    await page.close();
  });

  it('prints no [object …] or null on the ring page, and lists the strongest links', async () => {
    const page = await open();
    await login(page, w.keys.analyst);
    const ring = (await w.store.rings.get(w.ringIds[0]))!;
    expect(ring.strongestEdges.length).toBeGreaterThan(0);
    await page.goto(`${base}/#/rings/${ring._id}`);
    await page.waitForSelector('#evidence');
    const text = (await page.textContent('main')) ?? '';
    expect(text, text.slice(Math.max(0, text.indexOf('[object') - 200), text.indexOf('[object') + 100)).not.toContain('[object');
    expect(text).not.toMatch(/\bnull\b/);
    expect(await page.$$eval('h2', (hs) => hs.map((x) => x.textContent))).toContain('Strongest links');
    await page.close();
  });

  it('shows the page of the last navigation, not of the last answer', async () => {
    const page = await open();
    await login(page, w.keys.analyst);
    // The overview answers slowly; the user clicks Rings meanwhile.
    await page.route('**/api/overview', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto(`${base}/#/rings`);
    await page.waitForSelector('th[data-col="Members"]');
    await page.evaluate(() => { location.hash = '#/overview'; });
    await page.waitForTimeout(100);
    await page.evaluate(() => { location.hash = '#/rings'; });
    await page.waitForSelector('th[data-col="Members"]');
    await page.waitForTimeout(2500);
    expect(await page.textContent('h1')).toBe('Rings');
    expect(await page.$('#kpi-cards')).toBeNull();
    await page.close();
  });

  it('draws y-axis values on every chart, shows quiet days in posts per day and case counts with the abuse rate', async () => {
    const page = await open();
    await login(page, w.keys.analyst);
    const yValues = (title: string) =>
      page.$$eval(`[data-chart="${title}"] svg text`, (ts) => ts.map((t) => t.textContent ?? '').filter((t) => /^-?\d+(\.\d+)?%?$/.test(t.trim())));
    for (const title of ['Escalation volume', 'Abuse rate', 'FTDS by region', 'Sentiment trend']) {
      await page.waitForSelector(`[data-chart="${title}"] svg text`);
      const texts = await page.$$eval(`[data-chart="${title}"] svg text`, (ts) => ts.map((t) => t.textContent ?? ''));
      // A chart without data says so (the test world's cases carry no sentiment).
      if (texts.includes('no data yet')) expect(title).toBe('Sentiment trend');
      else expect((await yValues(title)).length, `${title}: ${texts.join('|')}`).toBeGreaterThanOrEqual(2);
    }
    expect(await page.textContent('#abuse-counts')).toMatch(/^\d+ of \d+ assessed cases$/);

    await page.goto(`${base}/#/rings/${w.ringIds[0]}`);
    await page.waitForSelector('[data-chart="Member posts per day"] svg text');
    expect((await yValues('Member posts per day')).length).toBeGreaterThanOrEqual(2);

    // An account whose posts are on days with gaps between them.
    const member = (await w.store.rings.get(w.ringIds[0]))!.members[0];
    await page.goto(`${base}/#/accounts/${encodeURIComponent(member)}`);
    await page.waitForSelector('[data-chart="Posts per day"] svg text');
    expect((await yValues('Posts per day')).length).toBeGreaterThanOrEqual(2);
    const days: string[] = await page.evaluate(() => (window as any).echarts.getInstanceByDom(document.querySelector('[data-chart="Posts per day"]')).getOption().xAxis[0].data);
    for (let i = 1; i < days.length; i++) expect(Date.parse(days[i]) - Date.parse(days[i - 1])).toBe(86_400_000);
    const posted = new Set((await w.store.posts.find({ accountId: member }, { projection: { createdAt: 1 } })).map((p) => p.createdAt.toISOString().slice(0, 10)));
    expect(days.length).toBeGreaterThanOrEqual(posted.size);
    await page.close();
  });

  it('lists accounts with why they score and downloads the list as CSV', async () => {
    const page = await open();
    await login(page, w.keys.analyst);
    await page.goto(`${base}/#/accounts`);
    await page.waitForSelector('th[data-col="Why"]');
    const why = await page.$$eval('#account-results tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(why.length).toBeGreaterThan(0);
    expect(why.every((t) => t.length > 3 && !t.includes('_'))).toBe(true);
    // The platform filter lists the registered platforms (served in /labels.json), not a copy in the page.
    expect(await page.$$eval('#account-search select[name="platform"] option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', ...platformIds()]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(download.suggestedFilename()).toBe('accounts.csv');
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
    const ringId = (await w.store.scores.get(w.xssAccountId))?.ringId as string;
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
    await page.waitForSelector('[data-chart] svg');
    const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(o.scroll).toBeLessThanOrEqual(o.inner + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
