// DOM building without HTML strings: every piece of data becomes a text node or a
// checked attribute, so attacker-written text (posts, handles) can never run.

const SAFE_ATTR = /^(class|id|type|value|placeholder|name|for|colspan|title|min|max|step|disabled|selected|required|autocomplete|data-[a-z-]+|aria-[a-z-]+|role)$/;

/** Only http(s) links and in-app hash links. */
export function safeHref(url) {
  if (typeof url !== 'string') return null;
  if (url.startsWith('#/')) return url;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** h('td', {class: 'n'}, 'text', childNode, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'href') {
      const safe = safeHref(String(v));
      if (safe) el.setAttribute('href', safe);
    } else if (k === 'onclick' || k === 'onchange' || k === 'onsubmit' || k === 'oninput') {
      if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    } else if (k === 'style' && typeof v === 'object') {
      Object.assign(el.style, v);
    } else if (SAFE_ATTR.test(k)) {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  appendList(el, children);
  return el;
}

/** Appends children to `el`: nodes, text for anything else, arrays flattened, null/false skipped. */
export function append(el, ...children) {
  appendList(el, children);
  return el;
}

function appendList(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) appendList(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export const fmtDate = (d) => (d ? String(d).slice(0, 16).replace('T', ' ') : '–');
export const fmtDay = (d) => (d ? String(d).slice(0, 10) : '–');
export const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
export const num = (v, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(digits));
/** Every day from the first to the last of `days` (YYYY-MM-DD), so that a per-day chart shows the quiet days too. */
export function everyDay(days) {
  const sorted = [...days].sort();
  if (sorted.length === 0) return [];
  const out = [];
  const last = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  for (let t = Date.parse(`${sorted[0]}T00:00:00Z`); t <= last && out.length < 3660; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export const statusBadge = (s) => h('span', { class: `status ${String(s).replace(/[^a-z_]/g, '')}` }, String(s).replace('_', ' '));

/** A table; `cols` = [{label, get(row) → string|Node, n?: numeric, sort?: (row) → value}]. Sortable when `sortable`. */
export function table(cols, rows, opts = {}) {
  let sortIdx = opts.sortIndex ?? -1;
  let dir = opts.sortDir ?? -1;
  const wrap = h('div', { class: 'table-wrap' });
  const render = () => {
    const sorted = [...rows];
    if (sortIdx >= 0 && cols[sortIdx].sort) {
      const key = cols[sortIdx].sort;
      sorted.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
    }
    const head = h('tr', {}, cols.map((c, i) => {
      const th = h('th', { class: `${c.n ? 'n ' : ''}${opts.sortable && c.sort ? 'sortable' : ''}`, 'data-col': c.label }, c.label, i === sortIdx ? (dir > 0 ? ' ▲' : ' ▼') : '');
      if (opts.sortable && c.sort) th.addEventListener('click', () => {
        dir = i === sortIdx ? -dir : -1;
        sortIdx = i;
        render();
      });
      return th;
    }));
    const body = sorted.length
      ? sorted.map((r) => h('tr', {}, cols.map((c) => h('td', { class: c.n ? 'n' : '' }, c.get(r)))))
      : [h('tr', {}, h('td', { colspan: cols.length }, opts.empty ?? 'Nothing here.'))];
    clear(wrap).appendChild(h('table', {}, h('thead', {}, head), h('tbody', {}, body)));
  };
  render();
  return wrap;
}
