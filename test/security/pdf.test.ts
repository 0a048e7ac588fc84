// PDF exports under a burst (issue 14.7): one browser, at most two renders at a time, a
// bounded queue and 503 + Retry-After beyond it. Before: 8 concurrent ring PDFs started 8
// browsers (72 Chromium processes). Chromium processes are counted in /proc among this
// test process's descendants (the server runs in it). A browser is a Chromium process whose
// parent is not Chromium: a browser's child between fork and exec still shows the browser's
// command line (no --type=), and sampling caught such children as extra "browsers" under load
// (CI: 3; a 2 ms sampler sees them in most bursts).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pdfRenderer } from '../../reports/pdf';
import { useServedWorld } from '../server/world';

const served = useServedWorld();

/** Chromium processes below this process: browsers (top-level: no Chromium parent) and all of them. */
function chromiumBelowUs(): { browsers: number; all: number } {
  const children = new Map<number, number[]>();
  const cmd = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {}
  }
  let browsers = 0;
  let all = 0;
  const isChromium = (pid: number) => /\/chrom(e|ium)$/.test((cmd.get(pid) ?? '').split(' ')[0]);
  const todo = (children.get(process.pid) ?? []).map((pid) => ({ pid, parent: process.pid }));
  while (todo.length) {
    const { pid, parent } = todo.pop() as { pid: number; parent: number };
    todo.push(...(children.get(pid) ?? []).map((c) => ({ pid: c, parent: pid })));
    if (!isChromium(pid)) continue;
    all++;
    if (!isChromium(parent)) browsers++;
  }
  return { browsers, all };
}

describe('PDF exports', () => {
  it('serves a burst of 16 ring PDFs with one browser and two pages; the overflow gets 503 + Retry-After', async () => {
    let peak = { browsers: 0, all: 0 };
    const sampler = setInterval(() => {
      const now = chromiumBelowUs();
      peak = { browsers: Math.max(peak.browsers, now.browsers), all: Math.max(peak.all, now.all) };
    }, 100);
    const ids = served.w.ringIds;
    const answers = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const res = await fetch(`${served.base}/api/rings/${ids[i % ids.length]}/report?format=pdf`, { headers: { 'x-api-key': served.w.keys.policy } });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    clearInterval(sampler);
    const ok = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 503);
    console.log(`16 PDFs: ${ok.length} × 200, ${busy.length} × 503; peak ${peak.browsers} browser(s), ${peak.all} Chromium processes, ${pdfRenderer.peak} pages at once`);
    expect(ok.length + busy.length).toBe(16);
    for (const a of ok) expect(a.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(busy.length).toBeGreaterThan(0);
    for (const a of busy) expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(peak.browsers).toBeLessThanOrEqual(1);
    expect(pdfRenderer.peak).toBeLessThanOrEqual(2);
    // After the burst the renderer is not wedged.
    const after = await fetch(`${served.base}/api/rings/${ids[0]}/report?format=pdf`, { headers: { 'x-api-key': served.w.keys.policy } });
    expect(after.status).toBe(200);
  }, 180_000);
});
