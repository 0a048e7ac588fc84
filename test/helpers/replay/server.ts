// The replay server: a real HTTP server on 127.0.0.1 answering from recordings. The
// matching rules are in index.ts; a platform (reddit.ts, later x.ts) supplies its
// data-selecting parameters, its id lookups and its empty continuation page.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dataParams, matchKey, normalisePath, type Recording, replayableHeaders } from './recording';

export interface ReplayRequest {
  method: string;
  /** Normalised path (lower case, no trailing `/` or `.json`). */
  path: string;
  /** The path as sent, for lookups that need its case (ids are lower case on both platforms). */
  rawPath: string;
  query: URLSearchParams;
  form?: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The matching key ("GET /r/askreddit/new after=t3_x"). */
  key: string;
}

export interface ReplayAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** How a request was answered. */
export type Served = 'recorded' | 'lookup' | 'continuation' | 'declared';

export interface ServedEntry {
  key: string;
  how: Served;
  status: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** The recording answered with (recorded), or what the lookup or continuation did. */
  note?: string;
}

export interface ReplayContext {
  recordings: readonly Recording[];
  /** Response headers of a recording of this path (or of any recording with rate-limit headers), for synthesised answers. */
  headersFor(path: string): Record<string, string>;
}

export interface ReplayPlatform {
  name: string;
  /** Query or form parameters that select data; all others (limit, raw_json, sort…) are ignored. */
  dataParams: readonly string[];
  /** Header whose presence marks a recording as carrying the platform's rate-limit headers. */
  rateHeader: string;
  /** Endpoints that return things by id (answered from the recorded things, not by request). */
  lookup?(req: ReplayRequest, ctx: ReplayContext): { answer: ReplayAnswer; note: string } | null;
  /** An unmatched request that only continues a recorded one (next page, deeper thread): its empty answer, or null. */
  continuation?(req: ReplayRequest, ctx: ReplayContext): { answer: ReplayAnswer; note: string } | null;
}

export interface ReplayOptions {
  platform: ReplayPlatform;
  recordings: Recording[];
  /** Answers the test declares (a fault, an unrecorded private post); tried before everything else. */
  declared?: (req: ReplayRequest) => ReplayAnswer | null | undefined;
  /** Delay before answering, per request (slow units). */
  delayMs?: (req: ReplayRequest) => number;
}

export interface ReplayServer {
  baseUrl: string;
  /** Every answered request in arrival order. */
  served: ServedEntry[];
  /** Requests that matched nothing (answered 501): each one fails the test. */
  unmatched: string[];
  /** Throws, listing them, if any request matched nothing. */
  assertAllMatched(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) reject(new Error('request body over 1 MB'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReplay(opts: ReplayOptions): Promise<ReplayServer> {
  const { platform, recordings } = opts;
  // Recordings by key, in recorded order; a key asked more often than recorded repeats its last answer.
  const byKey = new Map<string, Recording[]>();
  const keyOf = (r: Recording) => matchKey(r.method, normalisePath(r.url.pathname), dataParams(r.url.searchParams, r.form, platform.dataParams));
  for (const r of recordings) {
    const k = keyOf(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const timesServed = new Map<string, number>();
  const rated = recordings.find((r) => r.headers[platform.rateHeader] !== undefined);
  const ctx: ReplayContext = {
    recordings,
    headersFor(path) {
      const same = recordings.find((r) => normalisePath(r.url.pathname) === path && r.headers[platform.rateHeader] !== undefined);
      return replayableHeaders((same ?? rated)?.headers ?? { 'content-type': 'application/json; charset=UTF-8' });
    },
  };
  const served: ServedEntry[] = [];
  const unmatched: string[] = [];

  const answerFor = (req: ReplayRequest): { answer: ReplayAnswer; how: Served; note?: string } => {
    const declared = opts.declared?.(req);
    if (declared) return { answer: declared, how: 'declared' };
    const looked = platform.lookup?.(req, ctx);
    if (looked) return { ...looked, how: 'lookup' };
    const list = byKey.get(req.key);
    if (list) {
      const n = timesServed.get(req.key) ?? 0;
      timesServed.set(req.key, n + 1);
      const r = list[Math.min(n, list.length - 1)];
      return { answer: { status: r.status, headers: replayableHeaders(r.headers), body: r.body }, how: 'recorded', note: r.source };
    }
    const cont = platform.continuation?.(req, ctx);
    if (cont) return { ...cont, how: 'continuation' };
    unmatched.push(req.key);
    return {
      answer: { status: 501, headers: { 'content-type': 'text/plain' }, body: `replay: no recording for ${req.key}` },
      how: 'declared',
      note: 'unmatched',
    };
  };

  const server: Server = createServer(async (inc, res) => {
    try {
      const url = new URL(inc.url ?? '/', 'http://127.0.0.1');
      const text = inc.method === 'POST' || inc.method === 'PUT' ? await readBody(inc) : '';
      const form = text && String(inc.headers['content-type'] ?? '').includes('x-www-form-urlencoded') ? new URLSearchParams(text) : undefined;
      const method = (inc.method ?? 'GET').toUpperCase();
      const path = normalisePath(url.pathname);
      const req: ReplayRequest = {
        method,
        path,
        rawPath: url.pathname,
        query: url.searchParams,
        form,
        headers: inc.headers,
        key: matchKey(method, path, dataParams(url.searchParams, form, platform.dataParams)),
      };
      const { answer, how, note } = answerFor(req);
      served.push({ key: req.key, how, status: answer.status, at: Date.now(), note });
      const delay = opts.delayMs?.(req) ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      res.writeHead(answer.status, { ...(answer.headers ?? {}), 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    } catch (err) {
      unmatched.push(`${inc.method} ${inc.url}: ${(err as Error).message}`);
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('replay: internal error');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    served,
    unmatched,
    assertAllMatched() {
      if (unmatched.length > 0) throw new Error(`replay (${platform.name}): ${unmatched.length} request(s) matched no recording:\n  ${unmatched.join('\n  ')}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
