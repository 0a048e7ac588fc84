// Rings: a sortable list and the ring page (members, products, timeline, evidence,
// linked cases, graph, review actions for policy users, history).
import { api, ApiError, canReview, saveDownload, session } from './api.js';
import { lineChart, ringGraph } from './charts.js';
import { indicatorName, indicatorValue, ringMoves, ringStatuses } from './labels.js';
import { append, clear, fmtDate, fmtDay, h, num, statusBadge, table } from './dom.js';

export async function ringsPage() {
  const status = new URLSearchParams(location.hash.split('?')[1] ?? '').get('status') ?? '';
  const data = await api(`/api/rings?limit=500${status ? `&status=${encodeURIComponent(status)}` : ''}`);
  const select = h('select', { id: 'status-filter', onchange: (ev) => { location.hash = ev.target.value ? `#/rings?status=${ev.target.value}` : '#/rings'; } },
    ['', ...ringStatuses()].map((s) => h('option', { value: s, selected: s === status }, s ? s.replace('_', ' ') : 'all statuses')));
  return h('div', {},
    h('h1', {}, 'Rings'),
    h('form', { class: 'inline panel' }, h('label', {}, 'Status', select)),
    table([
      { label: 'Ring', get: (r) => h('a', { href: `#/rings/${r._id}` }, r._id), sort: (r) => r._id },
      { label: 'Score', n: true, get: (r) => num(r.score, 3), sort: (r) => r.score },
      { label: 'Status', get: (r) => statusBadge(r.status), sort: (r) => r.status },
      { label: 'Members', n: true, get: (r) => String(r.memberCount), sort: (r) => r.memberCount },
      { label: 'Platforms', get: (r) => r.platforms.join(', '), sort: (r) => r.platforms.join() },
      { label: 'Products', get: (r) => r.products.slice(0, 3).map((p) => data.productNames?.[p] ?? p).join(', '), sort: (r) => r.products.length },
      { label: 'Cases', n: true, get: (r) => String(r.linkedCases), sort: (r) => r.linkedCases },
      { label: 'Last post', get: (r) => fmtDay(r.lastPostAt), sort: (r) => r.lastPostAt },
      { label: 'Assignee', get: (r) => r.assignee ?? '', sort: (r) => r.assignee ?? '' },
    ], data.items, { sortable: true, sortIndex: 1, sortDir: -1, empty: 'No rings match.' }),
  );
}

// The API's moves (/labels.json, from storage/types.ts RING_TRANSITIONS). A new ring may be
// confirmed or dismissed in one save: the page then sends the two moves the workflow
// records, via in_review.

/** The moves from `from` to `to`: one, or two through in_review. */
export function movesTo(from, to) {
  if (ringMoves(from).includes(to)) return [to];
  if (ringMoves(from).includes('in_review') && ringMoves('in_review').includes(to)) return ['in_review', to];
  return null;
}

const choices = (from) => ringStatuses().filter((s) => s !== from && movesTo(from, s));

function reviewPanel(ring, reload, flash) {
  if (!canReview()) return h('p', { class: 'meta' }, 'Reviewing needs a policy or admin key.');
  const status = h('select', { id: 'review-status' }, h('option', { value: '' }, `keep (${ring.status.replace('_', ' ')})`), choices(ring.status).map((s) => h('option', { value: s }, s.replace('_', ' '))));
  const reason = h('input', { id: 'review-reason', placeholder: 'reason (required to dismiss)' });
  const assignee = h('input', { id: 'review-assignee', placeholder: 'assignee', value: ring.assignee ?? '' });
  const note = h('textarea', { id: 'review-note', placeholder: 'note' });
  const msg = h('p', { id: 'review-msg', class: flash ? 'ok' : '' }, flash ?? '');
  const save = async (ev) => {
    ev.preventDefault();
    msg.className = '';
    msg.textContent = 'Saving…';
    const body = { version: ring.version };
    if (reason.value.trim()) body.reason = reason.value;
    if (assignee.value.trim() !== (ring.assignee ?? '')) body.assignee = assignee.value.trim() || null;
    if (note.value.trim()) body.note = note.value;
    const moves = status.value ? movesTo(ring.status, status.value) : [undefined];
    try {
      let version = ring.version;
      for (const [i, to] of moves.entries()) {
        // Everything typed goes with the last move; the first of two only changes the status.
        const last = i === moves.length - 1;
        const res = await api(`/api/rings/${encodeURIComponent(ring._id)}/review`, { method: 'PATCH', body: last ? { ...body, version, status: to } : { version, status: to } });
        version = res.ring.version;
      }
      // The page is rebuilt from the saved ring; the message goes with it.
      await reload(`Saved (version ${version}).`);
    } catch (err) {
      msg.className = 'error';
      msg.textContent = err instanceof ApiError && err.status === 409 ? `${err.message}` : `Not saved: ${err.message}`;
    }
  };
  return h('form', { class: 'panel', id: 'review', onsubmit: save },
    h('h2', {}, 'Review'),
    h('div', { class: 'inline', style: { display: 'flex', flexWrap: 'wrap', gap: '8px' } }, h('label', {}, 'Status', status), h('label', {}, 'Reason', reason), h('label', {}, 'Assignee', assignee)),
    h('label', {}, 'Note', note),
    h('p', {}, h('button', { type: 'submit', id: 'review-save' }, 'Save'), ' ', h('span', { class: 'meta' }, `version ${ring.version}`)),
    msg,
  );
}

async function download(ringId, format) {
  await saveDownload(await api(`/api/rings/${encodeURIComponent(ringId)}/report?format=${format}`, { raw: true }), `${ringId}.${format}`);
}

export async function ringPage(id) {
  const root = h('div', {});
  const load = async (flash) => {
    const d = await api(`/api/rings/${encodeURIComponent(id)}`);
    const r = d.ring;
    const handleOf = new Map(d.members.map((m) => [m._id, m.handle]));
    const product = (id) => d.productNames?.[id] ?? id;
    append(clear(root),
      h('h1', {}, `Ring ${r._id} `, statusBadge(r.status)),
      h('p', { class: 'meta' }, `score ${num(r.score, 3)} · ${r.members.length} members on ${r.platforms.join(', ')} · active ${fmtDate(r.firstPostAt)} → ${fmtDate(r.lastPostAt)} · detected ${fmtDate(r.detectedAt)}${r.assignee ? ` · assignee ${r.assignee}` : ''}${r.statusReason ? ` · reason: ${r.statusReason}` : ''}`),
      canReview() ? h('p', {}, ['html', 'pdf', 'json', 'gexf'].map((f) => [h('button', { class: 'secondary', onclick: () => download(r._id, f).catch((e) => alert(e.message)) }, `Export ${f.toUpperCase()}`), ' '])) : null,
      h('div', { class: 'grid2' },
        h('div', {},
          h('div', { class: 'panel' }, h('h2', {}, 'Why it was flagged'), table([
            { label: 'Indicator', get: (i) => indicatorName(i.name) },
            { label: 'Value', n: true, get: (i) => indicatorValue(i.name, i.value) },
            { label: 'Strength', n: true, get: (i) => num(i.score, 2) },
            { label: 'Explanation', get: (i) => i.explanation },
          ], [...r.indicators].sort((a, b) => b.score - a.score))),
          h('div', { class: 'panel' }, h('h2', {}, 'Graph'), ringGraph(d.graph, (node) => { location.hash = `#/accounts/${encodeURIComponent(node)}`; }),
            h('p', { class: 'meta' }, 'Nodes: members (size = score; Reddit orange, X blue, web green). Links: co-actions and shared products. Click a node to open the account.')),
          // The API's timeline has every day from the first post to the last, quiet ones as 0.
          h('div', { class: 'panel' }, lineChart('Member posts per day', d.timeline.map((t) => t.day), [{ name: 'posts', data: d.timeline.map((t) => t.posts) }], { bar: true, integer: true })),
        ),
        h('div', {}, reviewPanel(r, load, flash),
          h('div', { class: 'panel' }, h('h2', {}, 'Products'), h('p', { id: 'ring-products' }, r.products.map(product).join(', ') || '–')),
          h('div', { class: 'panel', id: 'history' }, h('h2', {}, 'Review history'),
            (r.notes ?? []).map((n) => [h('div', { class: 'meta' }, `${fmtDate(n.at)} · ${d.history.find((e) => e.actor === n.by)?.who ?? n.by}`), h('blockquote', {}, n.text)]),
            table([
              { label: 'When', get: (e) => fmtDate(e.at) },
              { label: 'Who', get: (e) => e.who },
              { label: 'What changed', get: (e) => e.text },
            ], d.history, { empty: 'No review actions yet.' })),
        ),
      ),
      h('h2', {}, `Members (${d.members.length})`),
      table([
        { label: 'Account', get: (m) => h('a', { href: `#/accounts/${encodeURIComponent(m._id)}` }, m.handle), sort: (m) => m.handle },
        { label: 'Platform', get: (m) => m.platform, sort: (m) => m.platform },
        { label: 'Created', get: (m) => fmtDay(m.createdAt), sort: (m) => m.createdAt ?? '' },
        { label: 'Posts', n: true, get: (m) => String(m.posts), sort: (m) => m.posts },
        { label: 'Score', n: true, get: (m) => num(m.score, 3), sort: (m) => m.score },
        { label: 'Products', get: (m) => m.products.slice(0, 4).map(product).join(', ') },
      ], d.members, { sortable: true, sortIndex: 4 }),
      h('h2', {}, 'Strongest evidence'),
      h('div', { id: 'evidence' }, d.evidence.length ? d.evidence.map((p) => h('div', { class: 'post' },
        h('div', { class: 'meta' }, `${p.author} on ${p.platform} · ${fmtDate(p.createdAt)}${p.rating ? ` · ${p.rating}★` : ''}${p.product ? ` · ${product(p.product)}` : ''} `, p.url ? h('a', { href: p.url, rel: 'noopener' }, 'source') : null),
        h('blockquote', {}, p.title ? `${p.title}\n` : '', p.text ?? '(no text)'))) : h('p', {}, 'No evidence posts stored.')),
      r.strongestEdges.length ? [h('h2', {}, 'Strongest links'), table([
        { label: 'Between', get: (e) => `${handleOf.get(e.source) ?? e.source} ↔ ${handleOf.get(e.target) ?? e.target}` },
        { label: 'Weight', n: true, get: (e) => num(e.weight, 2) },
        { label: 'Co-actions', get: (e) => Object.entries(e.reasons).map(([k, v]) => `${k.replace(/_/g, ' ')} ${num(v, 2)}`).join(', ') },
      ], r.strongestEdges)] : null,
      h('h2', {}, `Linked escalation cases (${d.escalations.length})`),
      table([
        { label: 'Case', get: (c) => c._id },
        { label: 'Opened', get: (c) => fmtDate(c.openedAt) },
        { label: 'Region', get: (c) => c.region },
        { label: 'Product', get: (c) => (c.product ? product(c.product) : '') },
        { label: 'Why linked', get: (c) => (r.links.find((l) => l.caseId === c._id)?.reasons ?? []).map((x) => `${x.kind}: ${x.detail}`).join('; ') },
        { label: 'Text', get: (c) => (c.text ?? '').slice(0, 200) },
      ], d.escalations, { empty: 'No linked cases.' }),
    );
  };
  await load();
  return root;
}

export { session };
