// Small helpers shared by the simulated platforms' HTTP servers (node:http, no framework).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultDecision, type FaultInjector, mangleBody } from './faults';
import type { RequestLog, SimPlatform } from './stats';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: URLSearchParams;
  raw: IncomingMessage;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
  contentType?: string;
  /** Who made the request and which route it hit, for the log. */
  client?: string;
  endpoint?: string;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseBody(text: string, contentType: string | undefined): URLSearchParams {
  if (contentType?.includes('application/json')) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(obj).map(([k, v]) => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

export function basicAuth(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decodeURIComponent(decoded.slice(0, i)), pass: decodeURIComponent(decoded.slice(i + 1)) };
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m ? m[1].trim() : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PlatformHooks {
  platform: SimPlatform;
  faults: FaultInjector;
  log: RequestLog;
  /** Whether faults apply to this path (token endpoints and robots.txt stay reliable unless the pattern says otherwise). */
  faultable(path: string): boolean;
  /** The platform's own answer to an injected 5xx or 429 storm. */
  faultResponse(decision: FaultDecision, req: SimRequest): SimResponse;
  handle(req: SimRequest): Promise<SimResponse> | SimResponse;
}

/** Turns platform hooks into a node:http request listener with faults and logging. */
export function listener(hooks: PlatformHooks) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const arrived = Date.now();
    const url = new URL(req.url ?? '/', 'http://sim.local');
    let simReq: SimRequest;
    try {
      const text = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : '';
      simReq = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: parseBody(text, req.headers['content-type']), raw: req };
    } catch {
      res.destroy();
      return;
    }
    const record = (status: number, out: Partial<SimResponse>, fault?: string) =>
      hooks.log.add({ t: arrived, platform: hooks.platform, client: out.client ?? 'anonymous', endpoint: out.endpoint ?? `${simReq.method} ${simReq.path}`, status, fault, userAgent: req.headers['user-agent'] });
    let decision: FaultDecision = { kind: 'none', delayMs: 0 };
    if (hooks.faultable(simReq.path)) decision = hooks.faults.decide(simReq.path);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.kind === 'reset') {
      record(0, {}, 'reset');
      req.socket.destroy();
      return;
    }
    let out: SimResponse;
    if (decision.kind === '5xx' || decision.kind === '429') {
      out = hooks.faultResponse(decision, simReq);
    } else {
      try {
        out = await hooks.handle(simReq);
      } catch (err) {
        out = { status: 500, body: `internal simulator error: ${(err as Error).message}`, contentType: 'text/plain' };
      }
    }
    let body = out.body;
    if (decision.kind === 'malformed' && out.status < 300) body = mangleBody(body, decision.malformedMode ?? 'truncate');
    record(out.status, out, decision.kind === 'none' ? undefined : decision.kind);
    res.statusCode = out.status;
    res.setHeader('content-type', out.contentType ?? 'application/json; charset=utf-8');
    res.setHeader('date', new Date(hooks.faults.now()).toUTCString());
    for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };
}
