// The crawlers' own HTTP transport: fetch with a timeout, errors sorted into what the
// rate gate retries (resets, timeouts, malformed bodies) and what it reports.
import { type GateAnswer, TransientError } from './rate-gate';

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Form fields (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const signals = [AbortSignal.timeout(req.timeoutMs)];
  if (req.signal) signals.push(req.signal);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  let body: string | undefined;
  if (req.form) {
    body = new URLSearchParams(req.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, { method: req.method ?? 'GET', headers, body, signal: AbortSignal.any(signals), redirect: 'manual' });
    text = await res.text();
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new TransientError(`no answer within ${req.timeoutMs} ms`, 'timeout');
    throw new TransientError(`${e.cause?.code ?? e.name}: ${e.cause?.message ?? e.message}`, 'network');
  }
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    out[k] = v;
  });
  return { status: res.status, headers: out, text };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A GET that follows at most `maxHops` redirects itself, handing each hop's target to
 * `checkHop` first (it throws to refuse the hop): fetch's own following would reach any
 * address a server names. More hops than that answers the last redirect as it came.
 */
export async function httpGetChecked(
  req: Omit<HttpRequest, 'method' | 'form'>,
  checkHop: (next: URL, from: URL) => void,
  maxHops = 5,
): Promise<HttpResponse & { url: string }> {
  let at = new URL(req.url);
  for (let hop = 0; ; hop++) {
    const res = await httpRequest({ ...req, url: at.href });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location || hop >= maxHops) return { ...res, url: at.href };
    const next = new URL(location, at);
    checkHop(next, at);
    at = next;
  }
}

/** A gate answer whose body must be JSON when the status is 2xx (a broken body is retried). */
export function jsonAnswer<T>(res: HttpResponse): GateAnswer<T> {
  if (res.status < 200 || res.status >= 300) return { status: res.status, headers: res.headers, detail: res.text.slice(0, 200) };
  try {
    return { status: res.status, headers: res.headers, value: JSON.parse(res.text) as T };
  } catch {
    throw new TransientError(`malformed JSON body (${res.text.length} bytes: ${JSON.stringify(res.text.slice(0, 40))})`, 'malformed');
  }
}
