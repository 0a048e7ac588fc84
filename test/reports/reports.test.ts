// Ring reports (HTML, PDF, JSON, GEXF) and the weekly executive report from a store
// after import and detection, including attacker-written text in a post and a handle.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import Graph from 'graphology';
import { parse } from 'graphology-gexf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../cli/commands/accounts';
import { renderRingReport } from '../../queries/ring-report';
import { weeklyReportJob } from '../../jobs/report';
import { loadRingReport } from '../../queries/ring-report';
import { esc, safeUrl } from '../../reports/escape';
import { loadWeeklyReport } from '../../queries/weekly-report';
import { formatChange } from '../../reports/weekly-html';
import { jobCtx, type SeededWorld, seedWorld, XSS } from '../server/world';

let w: SeededWorld;
let ringId: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-reports-'));

function pdfText(pdf: Buffer): { text: string; pages: number } {
  const f = path.join(dir, `x-${Date.now()}.pdf`);
  writeFileSync(f, pdf);
  const text = execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [f], { encoding: 'utf8' });
  return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]) };
}

beforeAll(async () => {
  w = await seedWorld();
  ringId = (await w.store.scores.get(w.xssAccountId))?.ringId as string;
}, 180_000);

afterAll(async () => {
  await w?.store.close();
});

describe('escaping', () => {
  it('esc leaves no markup characters and round-trips', () => {
    const unesc = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&amp;/g, '&');
    fc.assert(
      fc.property(fc.string(), (s) => {
        const e = esc(s);
        expect(e).not.toMatch(/[<>"'`]/);
        expect(unesc(e)).toBe(s);
      }),
    );
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,<script>')).toBeNull();
    expect(safeUrl('https://x.example/a?b="c"')).toBe('https://x.example/a?b=%22c%22');
  });
});

describe('ring report', () => {
  it('HTML has every section, escapes attacker text and links only http(s)', async () => {
    const html = (await renderRingReport(w.store, ringId, 'html')).toString('utf8');
    for (const s of ['Summary', 'Why it was flagged', 'Members', 'Strongest evidence', 'Timeline', 'Graph', 'Linked escalation cases', 'Review history']) expect(html).toContain(`<h2>${s}`);
    expect(html).toContain(esc(XSS));
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain("default-src 'none'");
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
    expect(html).toMatch(/Content similarity|Near-identical texts|Posting in lock-step/);
  });

  it('JSON carries the same ring, members, evidence and links', async () => {
    const json = JSON.parse((await renderRingReport(w.store, ringId, 'json')).toString('utf8'));
    const ring = await w.store.rings.get(ringId);
    expect(json.ring._id).toBe(ringId);
    expect(json.members.map((m: { _id: string }) => m._id).sort()).toEqual([...(ring?.members ?? [])].sort());
    expect(json.evidence.length).toBeGreaterThan(0);
    expect(json.escalations.map((c: { _id: string }) => c._id)).toEqual(ring?.links.map((l) => l.caseId));
  });

  it('GEXF parses back into a graph with the same nodes and edges', async () => {
    const gexf = (await renderRingReport(w.store, ringId, 'gexf')).toString('utf8');
    const data = await loadRingReport(w.store, ringId);
    const g = parse(Graph, gexf);
    expect(g.order).toBe(data.graph.nodes.length);
    expect(g.size).toBe(data.graph.edges.length);
    expect(g.nodes().sort()).toEqual(data.graph.nodes.map((n) => n.id).sort());
    for (const e of data.graph.edges) expect(g.hasEdge(e.source, e.target) || g.hasEdge(e.target, e.source)).toBe(true);
    expect(g.getNodeAttribute(w.xssAccountId, 'label')).toBe(`evil${XSS}`);
    // Gephi draws what viz says: every node has a colour and a place of its own.
    const places = new Set<string>();
    g.forEachNode((_n, a) => {
      expect(a.color).toMatch(/^(#[0-9a-f]{6}|rgb\(\d+,\d+,\d+\))$/i);
      expect(Number.isFinite(a.x) && Number.isFinite(a.y)).toBe(true);
      places.add(`${a.x},${a.y}`);
    });
    expect(places.size).toBe(g.order);
  });

  it('PDF has the report text, attacker text as literal text, over several pages', async () => {
    const pdf = await renderRingReport(w.store, ringId, 'pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Ring ${ringId}`);
    expect(text).toContain('Why it was flagged');
    expect(text).toContain('<img src=x onerror=');
  }, 60_000);
});

describe('weekly report', () => {
  it('compares the week with the one before, and writes HTML and PDF through the job', async () => {
    const data = await loadWeeklyReport(w.store);
    const all = (await w.store.escalations.find({ week: data.week }, { projection: { _id: 1 } })).length;
    expect(data.headline.find((h) => h.key === 'escalations')?.value).toBe(all);
    const prevCount = (await w.store.escalations.find({ week: data.previousWeek }, { projection: { _id: 1 } })).length;
    expect(data.headline.find((h) => h.key === 'escalations')?.previous).toBe(prevCount || null);
    expect(data.weeks[data.weeks.length - 1]).toBe(data.week);
    expect(data.regions.length).toBeGreaterThan(0);

    const result = await weeklyReportJob.run(jobCtx(w.store, 'weekly'), { outDir: dir });
    expect(result.files.map((f) => path.extname(f)).sort()).toEqual(['.html', '.pdf']);
    const html = readFileSync(result.files.find((f) => f.endsWith('.html')) as string, 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBe(4);
    // Every chart has values on its y-axis, or says it has no data.
    const charts = html.split('<svg').slice(1).map((svg) => [...svg.split('</svg>')[0].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
    for (const texts of charts) {
      if (texts.includes('no data yet')) continue;
      expect(texts.filter((t) => /^-?\d+(\.\d+)?%?$/.test(t)).length, texts.join('|')).toBeGreaterThanOrEqual(2);
    }
    expect(charts[0].includes('no data yet')).toBe(false);
    for (const s of ['Key figures', 'Trends', 'By region', 'Top review rings', 'Top abusive-customer patterns']) expect(html).toContain(s);
    const { text } = pdfText(readFileSync(result.files.find((f) => f.endsWith('.pdf')) as string));
    expect(text).toContain(`Weekly report ${data.week}`);
    expect(text).toContain('First-time delivery success');
  }, 90_000);

  it('says week-over-week changes in points for rates and percent for counts', () => {
    expect(formatChange({ key: 'a', label: '', kind: 'rate', value: 0.12, previous: 0.1, higherIsWorse: true })).toEqual({ text: '▲ 2.0 pp', worse: true });
    expect(formatChange({ key: 'a', label: '', kind: 'count', value: 50, previous: 100, higherIsWorse: true })).toEqual({ text: '▼ 50%', worse: false });
    expect(formatChange({ key: 'a', label: '', kind: 'count', value: 5, previous: null, higherIsWorse: true }).worse).toBeNull();
  });

  it('exports accounts with the account id first and the score third', () => {
    expect(EXPORT_COLUMNS.slice(0, 3)).toEqual(['account', 'platform', 'score']);
  });
});
