// Accounts: search and filter (cursor-paged) and the account page.
import { api, saveDownload } from './api.js';
import { lineChart } from './charts.js';
import { indicatorName, indicatorValue, platformIds } from './labels.js';
import { clear, everyDay, fmtDate, fmtDay, h, num, table } from './dom.js';

async function downloadCsv(query) {
  const q = new URLSearchParams(query);
  q.delete('limit');
  q.set('format', 'csv');
  await saveDownload(await api(`/api/accounts?${q}`, { raw: true }), 'accounts.csv');
}

export async function accountsPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const field = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, value: params.get(name) ?? '', ...attrs }));
  const platform = h('select', { name: 'platform' }, ['', ...platformIds()].map((p) => h('option', { value: p, selected: p === (params.get('platform') ?? '') }, p || 'any platform')));
  const form = h('form', {
    class: 'inline panel',
    id: 'account-search',
    onsubmit: (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
      location.hash = `#/accounts?${q}`;
    },
  }, field('handle', 'Handle contains'), h('label', {}, 'Platform', platform), field('minScore', 'Min score', { type: 'number', min: 0, max: 1, step: 0.01 }),
    field('ring', 'Ring id'), field('product', 'Product (name or id)'), h('button', { type: 'submit' }, 'Search'));
  const results = h('div', { id: 'account-results' });
  const more = h('button', { class: 'secondary', id: 'more' }, 'More');
  const rows = [];
  let cursor = null;
  const query = new URLSearchParams();
  for (const k of ['handle', 'platform', 'minScore', 'ring', 'product']) if (params.get(k)) query.set(k, params.get(k));
  query.set('limit', '50');
  const loadPage = async () => {
    const q = new URLSearchParams(query);
    if (cursor) q.set('cursor', cursor);
    const page = await api(`/api/accounts?${q}`);
    rows.push(...page.items);
    cursor = page.nextCursor;
    more.hidden = !cursor;
    clear(results).appendChild(table([
      { label: 'Account', get: (a) => h('a', { href: `#/accounts/${encodeURIComponent(a._id)}` }, a.handle), sort: (a) => a.handle },
      { label: 'Platform', get: (a) => a.platform, sort: (a) => a.platform },
      { label: 'Score', n: true, get: (a) => num(a.suspicion?.score, 3), sort: (a) => a.suspicion?.score ?? 0 },
      { label: 'Why', get: (a) => (a.suspicion?.top ?? []).map((t) => indicatorName(t.name)).join('; ') },
      { label: 'Ring', get: (a) => (a.suspicion?.ringId ? h('a', { href: `#/rings/${a.suspicion.ringId}` }, a.suspicion.ringId) : ''), sort: (a) => a.suspicion?.ringId ?? '' },
      { label: 'Created', get: (a) => fmtDay(a.createdAt), sort: (a) => a.createdAt ?? '' },
      { label: 'Last crawled', get: (a) => fmtDay(a.lastSeenAt), sort: (a) => a.lastSeenAt ?? '' },
    ], rows, { sortable: true, empty: 'No accounts match.' }));
  };
  more.addEventListener('click', () => loadPage().catch((e) => results.appendChild(h('p', { class: 'error' }, e.message))));
  // Every matching account as CSV (the API's format=csv), with the same filters.
  const csv = h('button', { class: 'secondary', id: 'download-csv', type: 'button', onclick: () => downloadCsv(query).catch((e) => results.appendChild(h('p', { class: 'error' }, e.message))) }, 'Download CSV');
  await loadPage();
  return h('div', {}, h('h1', {}, 'Accounts'), form, h('p', {}, csv), results, h('p', {}, more));
}

export async function accountPage(id) {
  const d = await api(`/api/accounts/${encodeURIComponent(id)}`);
  const a = d.account;
  const s = a.suspicion;
  const perDay = new Map();
  for (const p of d.posts) perDay.set(fmtDay(p.createdAt), (perDay.get(fmtDay(p.createdAt)) ?? 0) + 1);
  const days = everyDay([...perDay.keys()]);
  const post = (p) => h('div', { class: 'post' },
    h('div', { class: 'meta' }, `${p.platform} · ${fmtDate(p.createdAt)}${p.rating ? ` · ${p.rating}★` : ''}${p.product ? ` · ${p.product}` : ''} `, p.url ? h('a', { href: p.url, rel: 'noopener' }, 'source') : null),
    h('blockquote', {}, p.title ? `${p.title}\n` : '', p.text ?? '(no text)'));
  return h('div', {},
    h('h1', {}, a.handle),
    h('p', { class: 'meta' }, `${a._id} · ${a.platform} · created ${fmtDay(a.createdAt)} · first seen ${fmtDay(a.firstSeenAt)} · ${d.postCount} posts${a.karma != null ? ` · karma ${a.karma}` : ''}${a.followers != null ? ` · ${a.followers} followers` : ''}`),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'l' }, 'Suspicion score'), h('div', { class: 'v' }, s ? num(s.score, 3) : 'not scored')),
      h('div', { class: 'card' }, h('div', { class: 'l' }, 'Ring'), h('div', { class: 'v' }, d.ring ? h('a', { href: `#/rings/${d.ring._id}` }, d.ring._id) : '–'), d.ring ? h('div', { class: 'd meta' }, `${d.ring.memberCount} members, ${d.ring.status}`) : null),
    ),
    s ? [h('h2', {}, 'Why this score'), table([
      { label: 'Indicator', get: (i) => indicatorName(i.name) },
      { label: 'Value', n: true, get: (i) => indicatorValue(i.name, i.value) },
      { label: 'Strength', n: true, get: (i) => num(i.score, 2) },
      { label: 'Explanation', get: (i) => i.explanation },
    ], [...s.indicators].sort((x, y) => y.score - x.score))] : null,
    h('div', { class: 'panel' }, lineChart('Posts per day', days, [{ name: 'posts', data: days.map((k) => perDay.get(k) ?? 0) }], { bar: true, integer: true })),
    h('h2', {}, 'Evidence'),
    h('div', { id: 'evidence' }, d.evidence.length ? d.evidence.map(post) : h('p', {}, 'No evidence posts.')),
    h('h2', {}, `Timeline (latest ${d.posts.length} of ${d.postCount})`),
    h('div', { id: 'timeline' }, d.posts.map(post)),
  );
}
