// The API client: the key lives in sessionStorage (gone when the tab closes).
const KEY = 'ringwatch.key';
const ROLE = 'ringwatch.role';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  get role() { return sessionStorage.getItem(ROLE); },
  set(key, role) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ROLE, role); },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ROLE); },
};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, opts = {}) {
  const headers = { 'x-api-key': opts.key ?? session.key ?? '' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined });
  if (opts.raw && res.ok) return res;
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && !opts.key) {
      session.clear();
      location.hash = '#/login';
    }
    throw new ApiError(res.status, body?.message ?? `HTTP ${res.status}`, body);
  }
  return body;
}

export const canReview = () => session.role === 'policy' || session.role === 'admin';

/** Saves the body of a fetched response as a file named `filename` (the browser's download). */
export async function saveDownload(res, filename) {
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
