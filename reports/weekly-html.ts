// The weekly executive report as one HTML page (also the source of its PDF).
import { lineOption, svgChart } from './charts';
import { fmtDate, html, num, pct, type Raw } from './escape';
import { featureLabel } from './labels';
import { chart, page } from './layout';
import type { Headline, WeeklyReportData } from './weekly-data';

export function formatValue(h: Pick<Headline, 'kind'>, v: number | null): string {
  if (v === null) return '–';
  if (h.kind === 'rate') return pct(v);
  if (h.kind === 'count') return Number.isInteger(v) ? String(v) : num(v, 1);
  return num(v, 2);
}

/** Fewer orders than this in a week, and "per 1,000 orders" is flagged: a few cases swing it by hundreds. */
export const SMALL_ORDER_BASE = 1000;

/**
 * The week-over-week change: percentage points for rates, the difference for scores (a
 * percentage of a score near 0 means nothing), relative change for counts and per-1,000 figures.
 */
export function formatChange(h: Headline): { text: string; worse: boolean | null } {
  if (h.value === null || h.previous === null) return { text: 'no previous week', worse: null };
  const d = h.value - h.previous;
  if (d === 0) return { text: 'unchanged', worse: null };
  const worse = h.higherIsWorse ? d > 0 : d < 0;
  const arrow = d > 0 ? '▲' : '▼';
  if (h.kind === 'rate') return { text: `${arrow} ${Math.abs(d * 100).toFixed(1)} pp`, worse };
  if (h.kind === 'score') return { text: `${arrow} ${Math.abs(d).toFixed(2)}`, worse };
  if (h.previous === 0) return { text: `${arrow} from 0`, worse };
  return { text: `${arrow} ${Math.abs((d / Math.abs(h.previous)) * 100).toFixed(0)}%`, worse };
}

/** Said under a per-1,000-orders figure computed from few orders. */
export function smallBase(h: Headline): string | null {
  if (h.base === undefined) return null;
  const small = [h.base.value, h.base.previous].filter((n): n is number => n !== null && n < SMALL_ORDER_BASE);
  return small.length ? `few orders (${[h.base.value, h.base.previous].map((n) => (n === null ? '–' : n.toLocaleString('en'))).join(' / ')}): read with care` : null;
}

function card(h: Headline): Raw {
  const c = formatChange(h);
  const caution = smallBase(h);
  return html`<div class="card"><div class="l">${h.label}</div><div class="v">${formatValue(h, h.value)}</div>
<div class="${c.worse === null ? '' : c.worse ? 'up' : 'down'}">${c.text}</div><div class="l">prev. ${formatValue(h, h.previous)}</div>${h.note ? html`<div class="l">${h.note}</div>` : ''}${caution ? html`<div class="l caution">${caution}</div>` : ''}</div>`;
}

export function weeklyCharts(d: WeeklyReportData): { volume: string; abuse: string; ftds: string; sentiment: string } {
  const weeks = d.weeks;
  const at = (w: string) => d.byWeek.find((r) => r.week === w);
  const regions = [...new Set(d.byWeekRegion.map((r) => r.region))].sort();
  const regionSeries = (key: 'ftds') =>
    regions.map((region) => ({ name: region, data: weeks.map((w) => d.byWeekRegion.find((r) => r.week === w && r.region === region)?.[key] ?? null) }));
  return {
    volume: svgChart(lineOption('Escalations per week', weeks, [{ name: 'escalations', data: weeks.map((w) => at(w)?.escalations ?? 0) }])),
    abuse: svgChart(lineOption('Abusive share of cases', weeks, [{ name: 'abuse rate', data: weeks.map((w) => at(w)?.abuseRate ?? null) }], { percent: true })),
    ftds: svgChart(lineOption('First-time delivery success by region', weeks, regionSeries('ftds'), { percent: true }), 720, 320),
    sentiment: svgChart(lineOption('Mean sentiment of case texts (−1 … 1)', weeks, [{ name: 'sentiment', data: weeks.map((w) => at(w)?.meanSentiment ?? null) }])),
  };
}

export function weeklyReportHtml(d: WeeklyReportData): string {
  const charts = weeklyCharts(d);
  const counted = (title: string, rows: { name: string; cases: number }[]) =>
    html`<div style="flex:1;min-width:220px"><h3>${title}</h3>${rows.length ? html`<table><tbody>${rows.map((r) => html`<tr><td>${r.name}</td><td class="n">${r.cases}</td></tr>`)}</tbody></table>` : html`<p>–</p>`}</div>`;
  const body = html`
<h1>Weekly report ${d.week}</h1>
<div class="meta">${fmtDate(d.from).slice(0, 10)} → ${fmtDate(new Date(d.to.getTime() - 1)).slice(0, 10)} · compared with ${d.previousWeek} · generated ${fmtDate(d.generatedAt)}</div>

${d.empty ? html`<p class="notice">This week is empty: ${d.empty}.</p>` : ''}
<h2>Key figures</h2>
<div class="cards">${d.headline.map(card)}</div>

<h2>Trends</h2>
${chart(charts.volume)}${chart(charts.abuse)}${chart(charts.ftds)}${chart(charts.sentiment)}

<h2>By region</h2>
<table><thead><tr><th>Region</th><th class="n">Escalations</th><th class="n">prev.</th><th class="n">Per 1k orders</th><th class="n">Abuse rate</th><th class="n">FTDS</th><th class="n">FTDS prev.</th><th class="n">Sentiment</th><th>Top products</th></tr></thead><tbody>
${d.regions.map((r) => html`<tr><td>${r.region}</td><td class="n">${r.row.escalations}</td><td class="n">${r.previous?.escalations ?? '–'}</td><td class="n">${num(r.row.escalationsPer1000Orders)}</td><td class="n">${pct(r.row.abuseRate)}</td><td class="n">${pct(r.row.ftds)}</td><td class="n">${pct(r.previous?.ftds)}</td><td class="n">${num(r.row.meanSentiment)}</td><td>${r.row.topProducts}</td></tr>`)}
</tbody></table>

<h2>Top review rings active this week</h2>
<p>${d.topRings.length} ring${d.topRings.length === 1 ? '' : 's'} shown; ${d.newRings} started this week. Status: ${Object.entries(d.ringStatus).map(([s, n]) => `${s.replace('_', ' ')} ${n}`).join(', ') || 'none active'}.</p>
${d.topRings.length ? html`<table><thead><tr><th>Ring</th><th class="n">Score</th><th>Status</th><th class="n">Members</th><th>Products</th><th class="n">Linked cases</th><th>Active</th></tr></thead><tbody>
${d.topRings.map((r) => html`<tr><td><code class="id">${r._id}</code></td><td class="n">${num(r.score, 3)}</td><td><span class="status ${r.status}">${r.status.replace('_', ' ')}</span></td><td class="n">${r.members}</td><td>${r.products.slice(0, 4).map((p) => d.productNames[p] ?? p).join(', ')}</td><td class="n">${r.linkedCases}</td><td>${fmtDate(r.firstPostAt).slice(0, 10)} → ${fmtDate(r.lastPostAt).slice(0, 10)}</td></tr>`)}
</tbody></table>` : ''}

<h2>Top abusive-customer patterns</h2>
<p>${d.patterns.abusiveCases} case${d.patterns.abusiveCases === 1 ? '' : 's'} this week were labelled abusive or scored at or above ${num(d.patterns.threshold, 2)} by the abuse model.</p>
<div style="display:flex;flex-wrap:wrap;gap:16px">
${counted('Strongest model signals', d.patterns.features.map((f) => ({ ...f, name: featureLabel(f.name) })))}${counted('Categories', d.patterns.categories)}${counted('Products', d.patterns.products.map((p) => ({ ...p, name: d.productNames[p.name] ?? p.name })))}${counted('Channels', d.patterns.channels)}
</div>
`;
  return page(`Weekly report ${d.week}`, body);
}
