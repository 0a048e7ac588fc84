// The ring report as one self-contained HTML page (also the source of the PDF).
import { barOption, graphOption, svgChart } from './charts';
import { esc, fmtDate, html, num, type Raw, raw, safeUrl } from './escape';
import { chart, page } from './layout';
import { actorLabel, indicatorLabel, indicatorValue } from './labels';
import type { RingReportData } from './ring-data';



function bar(score: number): Raw {
  const w = Math.round(Math.max(0, Math.min(1, score)) * 80);
  return raw(`<span class="bar" style="width:${w}px"></span>`);
}

function postLink(url: string | undefined): Raw | string {
  const u = safeUrl(url);
  return u ? raw(` · <a href="${u}">${u}</a>`) : '';
}

function historyRow(e: RingReportData['history'][number]): Raw {
  return html`<tr><td>${fmtDate(e.at)}</td><td>${e.who}</td><td>${e.text}</td></tr>`;
}

export function ringReportHtml(d: RingReportData): string {
  const r = d.ring;
  const handleOf = new Map(d.members.map((m) => [m._id, m.handle]));
  const product = (id: string) => d.productNames[id] ?? id;
  const timelineSvg = d.timeline.length
    ? svgChart(barOption('Member posts per day', d.timeline.map((t) => t.day), d.timeline.map((t) => t.posts)), 900, 240)
    : '';
  const graphSvg = d.graph.nodes.length ? svgChart(graphOption(d.graph), 900, 520) : '';
  const body = html`
<h1>Ring <span class="id">${r._id}</span></h1>
<div class="meta">Score <b>${num(r.score, 3)}</b> · status <span class="status ${r.status}">${r.status.replace('_', ' ')}</span>
 · ${r.members.length} members on ${r.platforms.join(', ')} · active ${fmtDate(r.firstPostAt)} → ${fmtDate(r.lastPostAt)}
 · detected ${fmtDate(r.detectedAt)} (run ${r.runId}) · report generated ${fmtDate(d.generatedAt)}</div>

<h2>Summary</h2>
<p>${r.members.length} accounts posted about ${r.products.length} product${r.products.length === 1 ? '' : 's'}
(${r.products.slice(0, 8).map(product).join(', ')}${r.products.length > 8 ? ', …' : ''}) in a coordinated way between
${fmtDate(r.firstPostAt)} and ${fmtDate(r.lastPostAt)}. ${r.links.length ? `The ring is linked to ${r.links.length} customer escalation case${r.links.length === 1 ? '' : 's'}.` : 'No customer escalation case is linked to it.'}
${r.statusReason ? html`Review decision: <b>${r.statusReason}</b>.` : ''}${r.assignee ? html` Assigned to ${r.assignee}.` : ''}</p>

<h2>Why it was flagged</h2>
<table><thead><tr><th>Indicator</th><th class="n">Value</th><th>Strength</th><th>What it means</th></tr></thead><tbody>
${[...r.indicators].sort((a, b) => b.score - a.score).map((i) => html`<tr><td>${indicatorLabel(i.name)}</td><td class="n">${indicatorValue(i.name, i.value)}</td><td>${bar(i.score)} ${num(i.score, 2)}</td><td>${i.explanation}</td></tr>`)}
</tbody></table>

<h2>Members (${d.members.length})</h2>
<table><thead><tr><th>Account</th><th>Platform</th><th>Created</th><th class="n">Posts</th><th class="n">Score</th><th>Products</th><th>Strongest own indicator</th></tr></thead><tbody>
${d.members.map((m) => html`<tr><td>${m.handle}<br><code class="id">${m._id}</code></td><td>${m.platform}</td><td>${fmtDate(m.createdAt)}</td><td class="n">${m.posts}</td><td class="n">${num(m.score, 3)}</td><td>${m.products.slice(0, 5).map(product).join(', ')}</td><td>${m.indicators[0]?.explanation ?? ''}</td></tr>`)}
</tbody></table>

<h2>Strongest evidence</h2>
${d.evidence.length ? d.evidence.map((p) => html`<div class="post"><div class="post-meta"><b>${p.author}</b> on ${p.platform}${p.community ? html` (${p.community})` : ''} · ${fmtDate(p.createdAt)}${p.rating ? html` · ${p.rating}★` : ''}${p.product ? html` · product ${product(p.product)}` : ''}${postLink(p.url)}</div>
<blockquote>${p.title ? html`<b>${p.title}</b>\n` : ''}${p.text ?? '(no text)'}</blockquote></div>`) : html`<p>No evidence posts were stored for this ring.</p>`}

${r.strongestEdges.length ? html`<h3>Strongest links between members</h3><table><thead><tr><th>Between</th><th class="n">Weight</th><th>Co-actions</th></tr></thead><tbody>
${r.strongestEdges.map((e) => html`<tr><td>${handleOf.get(e.source) ?? e.source} ↔ ${handleOf.get(e.target) ?? e.target}</td><td class="n">${num(e.weight, 2)}</td><td>${Object.entries(e.reasons).map(([k, v]) => `${k.replace(/_/g, ' ')} ${num(v, 2)}`).join(', ')}</td></tr>`)}
</tbody></table>` : ''}

<h2>Timeline</h2>
${timelineSvg ? chart(timelineSvg) : html`<p>No member posts in the store.</p>`}

<h2>Graph</h2>
<p class="meta">Nodes are members (size = account score; colour = platform: Reddit orange, X blue, web green); lines are co-actions found by detection and products reviewed in common.</p>
${graphSvg ? chart(graphSvg) : ''}

<h2>Linked escalation cases (${d.escalations.length})</h2>
${d.escalations.length ? html`<table><thead><tr><th>Case</th><th>Opened</th><th>Region</th><th>Product</th><th class="n">Link strength</th><th>Why linked</th><th class="n">Abuse score</th></tr></thead><tbody>
${d.escalations.map((c) => {
  const link = r.links.find((l) => l.caseId === c._id);
  return html`<tr><td>${c._id}</td><td>${fmtDate(c.openedAt)}</td><td>${c.region}</td><td>${c.product ? product(c.product) : ''}</td><td class="n">${num(link?.strength, 2)}</td><td>${(link?.reasons ?? []).map((x) => `${x.kind}: ${x.detail}`).join('; ')}</td><td class="n">${num(c.abuseScore, 2)}</td></tr>`;
})}
</tbody></table>` : html`<p>None.</p>`}

<h2>Review history</h2>
${r.notes?.length ? html`<h3>Notes</h3>${r.notes.map((n) => html`<div class="post-meta">${fmtDate(n.at)} · ${actorLabel(n.by)}</div><blockquote>${n.text}</blockquote>`)}` : ''}
${d.history.length ? html`<table><thead><tr><th>When</th><th>Who</th><th>What changed</th></tr></thead><tbody>${d.history.map(historyRow)}</tbody></table>` : html`<p>No review actions yet.</p>`}
`;
  return page(`Ring report ${r._id}`, body);
}

/** The report as JSON: the same data, dates as ISO strings. */
export function ringReportJson(d: RingReportData): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

export { esc };
