// X's part of the replay rules: the data-selecting parameters (`query next_token
// pagination_token since_id until_id ids`), the tweet look-up (`GET /2/tweets?ids=`)
// answered by id from every tweet the loaded recordings hold when no recording asked for
// exactly those ids (deletion sync asks in its own order), and the empty page for a
// `next_token` / `pagination_token` the recordings stop before.
import { cassette } from './index';
import { normalisePath, type Recording } from './recording';
import { type ReplayAnswer, type ReplayContext, type ReplayOptions, type ReplayPlatform, type ReplayServer, startReplay } from './server';
import { loadTwarc } from './twarc';
import { loadVcr } from './vcr-yaml';

type Tweet = { id: string } & Record<string, unknown>;
type Page = { data?: Tweet | Tweet[]; includes?: { users?: { id: string }[]; tweets?: Tweet[] } };

const DATA_PARAMS = ['query', 'next_token', 'pagination_token', 'since_id', 'until_id', 'ids'] as const;

/** Every tweet the recorded bodies hold (listed or included), by id; the listed copy wins. */
export function recordedTweets(recordings: readonly Recording[]): Map<string, { tweet: Tweet; users: { id: string }[] }> {
  const out = new Map<string, { tweet: Tweet; users: { id: string }[]; listed: boolean }>();
  for (const r of recordings) {
    if (r.status !== 200 || !r.body.startsWith('{')) continue;
    const page = JSON.parse(r.body) as Page;
    const users = page.includes?.users ?? [];
    const data = Array.isArray(page.data) ? page.data : page.data && 'text' in page.data ? [page.data] : [];
    for (const t of data) out.set(t.id, { tweet: t, users, listed: true });
    for (const t of page.includes?.tweets ?? []) if (!out.get(t.id)?.listed) out.set(t.id, { tweet: t, users, listed: false });
  }
  return out;
}

export interface XReplayPlatform extends ReplayPlatform {
  /** Tweet ids a look-up asked for that no recording holds (answered as X does: "Not Found Error"). */
  missing: string[];
}

export function xPlatform(): XReplayPlatform {
  let tweets: ReturnType<typeof recordedTweets> | undefined;
  const missing: string[] = [];
  const answer = (ctx: ReplayContext, path: string, body: unknown): ReplayAnswer => ({
    status: 200,
    headers: { ...ctx.headersFor(path), 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  return {
    name: 'x',
    dataParams: DATA_PARAMS,
    rateHeader: 'x-rate-limit-remaining',
    missing,
    lookup(req, ctx) {
      if (req.path !== '/2/tweets' || !req.query.get('ids')) return null;
      const ids = (req.query.get('ids') as string).split(',').filter(Boolean);
      // Exactly these ids recorded: served as recorded.
      if (ctx.recordings.some((r) => normalisePath(r.url.pathname) === '/2/tweets' && r.url.searchParams.get('ids') === ids.join(','))) return null;
      tweets ??= recordedTweets(ctx.recordings);
      const found = ids.map((id) => tweets?.get(id)).filter((t) => t !== undefined);
      const gone = ids.filter((id) => !tweets?.has(id));
      missing.push(...gone);
      const users = new Map(found.flatMap((f) => f.users).map((u) => [u.id, u]));
      const body: Record<string, unknown> = {};
      if (found.length) body.data = found.map((f) => f.tweet);
      if (users.size) body.includes = { users: [...users.values()] };
      if (gone.length)
        body.errors = gone.map((id) => ({
          value: id,
          detail: `Could not find tweet with ids: [${id}].`,
          title: 'Not Found Error',
          resource_type: 'tweet',
          parameter: 'ids',
          resource_id: id,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        }));
      return { answer: answer(ctx, req.path, body), note: `${found.length} of ${ids.length} ids recorded` };
    },
    continuation(req, ctx) {
      const token = req.query.get('next_token') ?? req.query.get('pagination_token');
      if (!token || !ctx.recordings.some((r) => normalisePath(r.url.pathname) === req.path)) return null;
      return { answer: answer(ctx, req.path, { meta: { result_count: 0 } }), note: 'page after the recorded ones: empty' };
    },
  };
}

export interface XReplay extends ReplayServer {
  platform: XReplayPlatform;
  recordings: Recording[];
  /** The server's root as twitter-api-v2's prefix wants it (".../2/"). */
  prefix: string;
}

/**
 * A replay server for these X cassettes (paths under the cassette directory): vcrpy YAML
 * (`.yaml`) and twarc JSONL (`.jsonl`), whose headers come from the YAML recordings of
 * the same endpoint (all the tweepy cassettes are loaded as donors).
 */
export async function startXReplay(files: string[], opts: Omit<ReplayOptions, 'platform' | 'recordings'> = {}): Promise<XReplay> {
  const donors = ['test_client_search_recent_tweets', 'test_client_get_tweets', 'test_client_get_users_tweets', 'test_client_get_user'].flatMap((n) =>
    loadVcr(cassette(`x/tweepy/${n}.yaml`)),
  );
  const recordings = files.flatMap((f) => (f.endsWith('.jsonl') ? loadTwarc(cassette(f), donors) : loadVcr(cassette(f))));
  const platform = xPlatform();
  const server = await startReplay({ ...opts, platform, recordings });
  return Object.assign(server, { platform, recordings, prefix: `${server.baseUrl}/2/` });
}
