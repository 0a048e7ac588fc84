// One recorded HTTP exchange, whatever cassette format it came from, and the matching key.
// Loaders (betamax.ts; vcrpy YAML and twarc JSONL loaders beside it) turn a file into
// Recording[]; the server (server.ts) only ever sees this shape.

export interface Recording {
  method: string;
  /** The recorded request URL (its host is ignored: one server answers for all hosts). */
  url: URL;
  /** Form fields of the recorded request body (POST), if any. */
  form?: URLSearchParams;
  status: number;
  /** Response headers, lower-case names, one value each. */
  headers: Record<string, string>;
  /** The response body as text (already decoded from gzip where the cassette stored it so). */
  body: string;
  /** Cassette file and position, for messages. */
  source: string;
}

/** Path as matched: lower case, without a trailing `/` or `.json`. */
export function normalisePath(pathname: string): string {
  let p = decodeURIComponent(pathname).toLowerCase();
  p = p
    .replace(/\/+$/, '')
    .replace(/\.json$/, '')
    .replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** The values of the data-selecting parameters, from query and form together. */
export function dataParams(query: URLSearchParams, form: URLSearchParams | undefined, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = query.get(n) ?? form?.get(n) ?? null;
    if (v !== null && v !== '') out[n] = v;
  }
  return out;
}

/** "GET /r/askreddit/new after=t3_x" — the matching key, also readable in logs. */
export function matchKey(method: string, path: string, params: Record<string, string>): string {
  const q = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return `${method.toUpperCase()} ${path}${q ? ` ${q}` : ''}`;
}

/** Headers that describe the recorded connection or encoding, not the answer: never replayed. */
const HOP_HEADERS = new Set([
  'connection',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'keep-alive',
  'set-cookie',
  'alt-svc',
  'strict-transport-security',
]);

export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_HEADERS.has(k)) out[k] = v;
  return out;
}

/** Lower-cases names and takes the first value of list-valued headers (cassette formats differ). */
export function flattenHeaders(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== null) out[k.toLowerCase()] = String(value);
  }
  return out;
}
