// The board's API for tests, on 127.0.0.1: GET /api/boards/<name>/posts[?cursor=N] with a
// bearer token, pages of PAGE posts newest first, RateLimit headers over fixed windows, and
// a 429 for a request over the limit (counted, so a test can show the gate never sent one).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BoardPage, BoardPost } from './source';

export interface BoardServer {
  baseUrl: string;
  /** Requests answered, and those refused with 429. */
  counts: { requests: number; rateLimited: number; unauthorised: number };
  close(): Promise<void>;
}

const PAGE = 2;

export async function startBoardServer(opts: { token: string; boards: Record<string, BoardPost[]>; limit: number; windowMs: number }): Promise<BoardServer> {
  const counts = { requests: 0, rateLimited: 0, unauthorised: 0 };
  let windowStart = Date.now();
  let used = 0;
  const server = http.createServer((req, res) => {
    counts.requests++;
    const now = Date.now();
    if (now - windowStart >= opts.windowMs) {
      windowStart = now - ((now - windowStart) % opts.windowMs);
      used = 0;
    }
    const resetSec = Math.max(0, (windowStart + opts.windowMs - now) / 1000);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'ratelimit-limit': String(opts.limit),
        'ratelimit-remaining': String(Math.max(0, opts.limit - used)),
        'ratelimit-reset': resetSec.toFixed(3),
      });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      counts.unauthorised++;
      return send(401, { error: 'bad token' });
    }
    if (used >= opts.limit) {
      counts.rateLimited++;
      return send(429, { error: 'rate limited' });
    }
    used++;
    const url = new URL(req.url ?? '/', 'http://board');
    const m = /^\/api\/boards\/([a-z0-9-]+)\/posts$/.exec(url.pathname);
    const posts = m ? opts.boards[m[1]] : undefined;
    if (!posts) return send(404, { error: 'no such board' });
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const newestFirst = [...posts].sort((a, b) => b.created.localeCompare(a.created));
    const page: BoardPage = { posts: newestFirst.slice(from, from + PAGE), next: from + PAGE < newestFirst.length ? String(from + PAGE) : null };
    send(200, page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
