// The dashboard shell: login with an API key, hash routing, the overview page.
import { api, ApiError, session } from './api.js';
import { disposeAll, lineChart } from './charts.js';
import { append, clear, fmtDate, fmtDay, h, num, pct, statusBadge, table } from './dom.js';
import { accountPage, accountsPage } from './accounts.js';
import { loadLabels } from './labels.js';
import { ringPage, ringsPage } from './rings.js';

const main = document.getElementById('main');

function loginPage() {
  const input = h('input', { type: 'password', placeholder: 'rw_…', autocomplete: 'off', id: 'key' });
  const msg = h('p', { class: 'error' });
  const form = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      msg.textContent = '';
      try {
        const me = await api('/api/me', { key: input.value.trim() });
        session.set(input.value.trim(), me.role);
        location.hash = '#/overview';
      } catch (err) {
        msg.textContent = err instanceof ApiError && err.status === 401 ? 'That key is unknown or revoked.' : `Cannot log in: ${err.message}`;
      }
    },
  },
    h('label', { for: 'key' }, 'API key', input),
    h('p', {}, h('button', { type: 'submit', id: 'login' }, 'Log in')),
    msg,
    h('p', { class: 'meta' }, 'Create a key with ', h('code', {}, 'ringwatch keys create --role analyst'), '. It stays in this tab only (session storage).'),
  );
  return h('div', { class: 'login panel' }, h('h1', {}, 'ringwatch'), form);
}

/**
 * The change from the previous week: points for rates, the difference for scores (a
 * percentage of a score near 0 says nothing), percent for counts. `small`: the previous
 * week's denominator is too small for a percentage to mean much.
 */
function change(cur, prev, higherIsWorse, kind = 'count') {
  if (cur == null || prev == null) return h('div', { class: 'd meta' }, 'no previous week');
  const d = cur - prev;
  if (d === 0) return h('div', { class: 'd meta' }, 'unchanged vs previous week');
  const worse = higherIsWorse ? d > 0 : d < 0;
  const arrow = d > 0 ? '▲' : '▼';
  const text =
    kind === 'rate' ? `${arrow} ${Math.abs(d * 100).toFixed(1)} pp`
      : kind === 'score' ? `${arrow} ${Math.abs(d).toFixed(2)}`
        : prev === 0 ? `${arrow} from 0` : `${arrow} ${Math.abs((d / Math.abs(prev)) * 100).toFixed(0)}%`;
  return h('div', { class: `d ${worse ? 'up' : 'down'}` }, `${text} vs previous week`);
}

async function overviewPage() {
  const o = await api('/api/overview');
  const l = o.latest ?? {};
  const p = o.previous ?? {};
  const card = (label, value, delta) => h('div', { class: 'card' }, h('div', { class: 'l' }, label), h('div', { class: 'v' }, value), delta ?? null);
  const weeks = o.weeks;
  const at = (w) => o.byWeek.find((r) => r.week === w) ?? {};
  const regions = [...new Set(o.byWeekRegion.map((r) => r.region))].sort();
  const abuseTip = (params) => params.map((p) => {
    const r = at(weeks[p.dataIndex]);
    return `${p.axisValue}: ${pct(r.abuseRate)} (${num(r.abusive)} of ${num(r.assessed)} assessed cases)`;
  }).join('<br>');
  return h('div', {},
    h('h1', {}, `Overview${l.week ? ` — week ${l.week}` : ''}`),
    h('div', { class: 'cards', id: 'kpi-cards' },
      card('Escalations', num(l.escalations), change(l.escalations, p.escalations, true)),
      card('Abusive share of cases', pct(l.abuseRate), [h('div', { class: 'd meta', id: 'abuse-counts' }, `${num(l.abusive)} of ${num(l.assessed)} assessed cases`), change(l.abuseRate, p.abuseRate, true, 'rate')]),
      card('First-time delivery success', pct(l.ftds), change(l.ftds, p.ftds, false, 'rate')),
      card('Mean case sentiment (−1 … 1)', num(l.meanSentiment), change(l.meanSentiment, p.meanSentiment, false, 'score')),
      card('Cases linked to review rings', num(l.ringLinkedCases), change(l.ringLinkedCases, p.ringLinkedCases, true)),
      card('Rings new / in review', `${o.ringStatus.new ?? 0} / ${o.ringStatus.in_review ?? 0}`, h('div', { class: 'd meta' }, `${o.ringStatus.confirmed ?? 0} confirmed, ${o.ringStatus.dismissed ?? 0} dismissed`)),
      card('Accounts in rings', num(o.suspiciousAccounts)),
    ),
    h('div', { class: 'charts' },
      h('div', { class: 'panel' }, lineChart('Escalation volume', weeks, [{ name: 'escalations', data: weeks.map((w) => at(w).escalations ?? 0) }], { integer: true })),
      h('div', { class: 'panel' }, lineChart('Abuse rate', weeks, [{ name: 'abuse rate', data: weeks.map((w) => at(w).abuseRate ?? null) }], { percent: true, tooltip: abuseTip })),
      h('div', { class: 'panel' }, lineChart('FTDS by region', weeks, regions.map((region) => ({ name: region, data: weeks.map((w) => o.byWeekRegion.find((r) => r.week === w && r.region === region)?.ftds ?? null) })), { percent: true })),
      h('div', { class: 'panel' }, lineChart('Sentiment trend', weeks, [{ name: 'mean sentiment', data: weeks.map((w) => at(w).meanSentiment ?? null) }])),
    ),
    h('h2', { id: 'new-rings-title' }, `New rings in week ${o.newRingsWeek ?? '–'} (${o.newRingsCount ?? 0}; first post that week, as in the weekly report)`),
    table([
      { label: 'Ring', get: (r) => h('a', { href: `#/rings/${r._id}` }, r._id) },
      { label: 'Score', n: true, get: (r) => num(r.score, 3) },
      { label: 'Status', get: (r) => statusBadge(r.status) },
      { label: 'Members', n: true, get: (r) => String(r.memberCount) },
      { label: 'Products', get: (r) => r.products.slice(0, 3).map((p) => o.productNames?.[p] ?? p).join(', ') },
      { label: 'First post', get: (r) => fmtDate(r.firstPostAt) },
    ], o.newRingsThisWeek, { empty: 'No ring started that week.' }),
    h('h2', {}, 'Recent job runs'),
    table([
      { label: 'Job', get: (r) => r.job },
      { label: 'Status', get: (r) => r.status },
      { label: 'Trigger', get: (r) => r.trigger },
      { label: 'Started', get: (r) => fmtDate(r.startedAt) },
      { label: 'Duration', n: true, get: (r) => (r.durationMs != null ? `${(r.durationMs / 1000).toFixed(1)} s` : r.progress?.message ?? '…') },
      { label: 'Error', get: (r) => r.error ?? '' },
    ], o.recentRuns, { empty: 'No runs yet.' }),
    h('p', { class: 'meta' }, `Weeks ${fmtDay(weeks[0])} … ${weeks[weeks.length - 1] ?? ''}`),
  );
}

const routes = [
  [/^#\/login$/, () => loginPage()],
  [/^#\/overview$/, () => overviewPage()],
  [/^#\/rings$/, () => ringsPage()],
  [/^#\/rings\/([^/]+)$/, (m) => ringPage(decodeURIComponent(m[1]))],
  [/^#\/accounts$/, () => accountsPage()],
  [/^#\/accounts\/(.+)$/, (m) => accountPage(decodeURIComponent(m[1]))],
];

async function route() {
  disposeAll();
  let hash = location.hash || '#/overview';
  if (!session.key && hash !== '#/login') hash = '#/login';
  if (hash !== location.hash) history.replaceState(null, '', hash);
  renderWho();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href') ?? ''));
  const routePath = hash.split('?')[0];
  const match = routes.map(([re, view]) => [re.exec(routePath), view]).find(([m]) => m);
  // The last navigation wins: a slow page that answers after the user has moved on is dropped.
  const mine = ++navigation;
  clear(main).appendChild(h('p', { class: 'meta' }, 'Loading…'));
  try {
    const page = match ? await match[1](match[0]) : h('p', {}, 'No such page.');
    if (mine === navigation) clear(main).appendChild(page);
  } catch (err) {
    if (mine === navigation) clear(main).appendChild(h('p', { class: 'error' }, `Could not load this page: ${err.message}`));
  }
}

let navigation = 0;

function renderWho() {
  const who = clear(document.getElementById('who'));
  if (!session.key) return;
  append(who, `role: ${session.role}`, h('button', { class: 'secondary', id: 'logout', onclick: () => { session.clear(); location.hash = '#/login'; } }, 'Log out'));
}

window.addEventListener('hashchange', route);
loadLabels().catch(() => {}).finally(route);
