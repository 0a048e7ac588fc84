import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REDDIT_CLIENTS } from '../../sim/reddit';
import { type Simulator, startSimulator } from '../../sim/server';
import { generateWorld } from '../../sim/world';
import { cassette, loadBetamax } from '../helpers/replay';
import { basic, getJson, type ListingData, redditToken, sleep } from './helpers';

const world = generateWorld({ seed: 7, scale: 'small' });
const subSizes = new Map<string, number>();
for (const s of world.reddit.submissions) subSizes.set(s.subreddit, (subSizes.get(s.subreddit) ?? 0) + 1);
const biggestSub = [...subSizes].sort((a, b) => b[1] - a[1])[0][0];

describe('reddit imitation', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ world, rateLimits: { reddit: { limit: 10_000, windowMs: 60_000 } }, reddit: { listingCap: 1000 } });
    token = await redditToken(sim.reddit.authUrl);
  });
  afterAll(() => sim.close());

  it('requires a bearer token and valid client credentials', async () => {
    const none = await getJson(`${sim.reddit.baseUrl}/r/gadgets/new`);
    expect(none.status).toBe(401);
    const wrong = await getJson(`${sim.reddit.baseUrl}/r/gadgets/new`, 'not-a-token');
    expect(wrong.status).toBe(401);
    const badClient = await fetch(sim.reddit.authUrl, {
      method: 'POST',
      headers: { authorization: basic('x', 'y') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(badClient.status).toBe(401);
    const badPassword = await fetch(sim.reddit.authUrl, {
      method: 'POST',
      headers: { authorization: basic(DEFAULT_REDDIT_CLIENTS[0].id, DEFAULT_REDDIT_CLIENTS[0].secret) },
      body: new URLSearchParams({ grant_type: 'password', username: 'sim_user', password: 'nope' }),
    });
    expect(await badPassword.json()).toEqual({ error: 'invalid_grant' });
  });

  it('issues app-only tokens and refreshes password-grant tokens', async () => {
    const auth = basic(DEFAULT_REDDIT_CLIENTS[0].id, DEFAULT_REDDIT_CLIENTS[0].secret);
    const app = (await (
      await fetch(sim.reddit.authUrl, { method: 'POST', headers: { authorization: auth }, body: new URLSearchParams({ grant_type: 'client_credentials' }) })
    ).json()) as Record<string, unknown>;
    expect(app.token_type).toBe('bearer');
    expect(app.refresh_token).toBeUndefined();
    expect((await getJson(`${sim.reddit.baseUrl}/r/gadgets/new`, app.access_token as string)).status).toBe(200);
    const pw = (await (
      await fetch(sim.reddit.authUrl, {
        method: 'POST',
        headers: { authorization: auth },
        body: new URLSearchParams({ grant_type: 'password', username: 'sim_user', password: 'sim-password' }),
      })
    ).json()) as Record<string, string>;
    expect(pw.refresh_token).toBeTruthy();
    const refreshed = (await (
      await fetch(sim.reddit.authUrl, {
        method: 'POST',
        headers: { authorization: auth },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pw.refresh_token }),
      })
    ).json()) as Record<string, string>;
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.access_token).not.toBe(pw.access_token);
    expect((await getJson(`${sim.reddit.baseUrl}/user/sim_user/about`, refreshed.access_token)).status).toBe(404);
  });

  it('walks a subreddit with after cursors, every item exactly once, newest first', async () => {
    const sub = biggestSub;
    const expected = world.reddit.submissions.filter((s) => s.subreddit === sub).map((s) => `t3_${s.id}`);
    expect(expected.length).toBeGreaterThan(100);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const url: string = `${sim.reddit.baseUrl}/r/${sub}/new.json?limit=30&raw_json=1${after ? `&after=${after}` : ''}`;
      const res: { body: { kind: string; data: ListingData }; status: number } = await getJson<{ kind: string; data: ListingData }>(url, token);
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe('Listing');
      expect(res.body.data.dist).toBe(res.body.data.children.length);
      for (const c of res.body.data.children) {
        expect(c.kind).toBe('t3');
        seen.push(c.data.name as string);
      }
      after = res.body.data.after;
      pages++;
    } while (after && pages < 50);
    expect(seen.length).toBe(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(expected));
    const times = seen.map((n) => world.reddit.submissions.find((s) => `t3_${s.id}` === n)?.createdUtc as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('stops listings at the cap: after becomes null and only the newest items are reachable', async () => {
    const cap = Math.floor((subSizes.get(biggestSub) as number) / 2);
    const capped = await startSimulator({ world, reddit: { listingCap: cap }, rateLimits: { reddit: { limit: 1000, windowMs: 60_000 } } });
    try {
      const t = await redditToken(capped.reddit.authUrl);
      const sub = biggestSub;
      const newest = world.reddit.submissions
        .filter((s) => s.subreddit === sub)
        .sort((a, b) => b.createdUtc - a.createdUtc)
        .slice(0, cap)
        .map((s) => `t3_${s.id}`);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const res: { body: { data: ListingData } } = await getJson<{ data: ListingData }>(
          `${capped.reddit.baseUrl}/r/${sub}/new?limit=50${after ? `&after=${after}` : ''}`,
          t,
        );
        seen.push(...res.body.data.children.map((c) => c.data.name as string));
        after = res.body.data.after;
      } while (after);
      expect(seen.length).toBe(cap);
      expect(seen).toEqual(newest);
    } finally {
      await capped.close();
    }
  });

  it('serves comment trees whose more stubs and morechildren add up to every comment', async () => {
    const link = [...world.reddit.submissions].sort((a, b) => b.numComments - a.numComments)[0];
    expect(link.numComments).toBeGreaterThan(10);
    const expected = new Set(world.reddit.comments.filter((c) => c.linkId === link.id).map((c) => c.id));
    const res = await getJson<[{ data: ListingData }, { data: ListingData }]>(`${sim.reddit.baseUrl}/comments/${link.id}.json?limit=5&raw_json=1`, token);
    expect(res.status).toBe(200);
    expect(res.body[0].data.children[0].data.name).toBe(`t3_${link.id}`);
    const rendered: string[] = [];
    const stubs: string[] = [];
    let counted = 0;
    const walk = (children: ListingData['children']) => {
      for (const c of children) {
        if (c.kind === 'more') {
          stubs.push(...(c.data.children as string[]));
          counted += c.data.count as number;
        } else {
          rendered.push(c.data.id as string);
          const replies = c.data.replies as { data: ListingData } | '';
          if (replies) walk(replies.data.children);
        }
      }
    };
    walk(res.body[1].data.children);
    expect(rendered.length).toBe(5);
    expect(stubs.length).toBeGreaterThan(0);
    const more = await getJson<{ json: { data: { things: { kind: string; data: Record<string, unknown> }[] } } }>(
      `${sim.reddit.baseUrl}/api/morechildren?api_type=json&link_id=t3_${link.id}&children=${stubs.join(',')}`,
      token,
    );
    // Like Reddit's: a stub lists the cut-off replies and counts them with their descendants,
    // which morechildren returns too (flat, linked by parent_id).
    const fetched = more.body.json.data.things.map((t) => t.data.id as string);
    expect(fetched.length).toBe(counted);
    expect(counted).toBeGreaterThan(stubs.length);
    expect(new Set([...rendered, ...fetched])).toEqual(expected);
    for (const t of more.body.json.data.things) expect(t.data.link_id).toBe(`t3_${link.id}`);
  });

  it('answers /api/info, user listings and about with real-ish fields', async () => {
    const s = world.reddit.submissions.find(
      (x) => !x.deleted && world.reddit.comments.some((c) => c.author === x.author && !c.deleted),
    ) as (typeof world.reddit.submissions)[number];
    const c = world.reddit.comments.find((x) => x.author === s.author && !x.deleted) as (typeof world.reddit.comments)[number];
    const info = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t3_${s.id},t1_${c.id}`, token);
    expect(info.body.data.children.map((x) => x.kind)).toEqual(['t3', 't1']);
    const t3 = info.body.data.children[0].data;
    for (const f of ['id', 'name', 'author', 'author_fullname', 'title', 'selftext', 'created_utc', 'subreddit', 'permalink', 'url', 'score', 'num_comments'])
      expect(t3).toHaveProperty(f);
    const t1 = info.body.data.children[1].data;
    for (const f of ['id', 'name', 'author', 'body', 'created_utc', 'parent_id', 'link_id', 'permalink', 'score']) expect(t1).toHaveProperty(f);
    const submitted = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/user/${s.author}/submitted?limit=100`, token);
    expect(submitted.body.data.children.map((x) => x.data.name)).toContain(`t3_${s.id}`);
    const comments = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/user/${s.author}/comments?limit=100`, token);
    expect(comments.body.data.children.map((x) => x.data.name)).toContain(`t1_${c.id}`);
    expect(comments.body.data.children[0].data).toHaveProperty('link_title');
    const about = await getJson<{ kind: string; data: Record<string, number> }>(`${sim.reddit.baseUrl}/user/${s.author}/about.json`, token);
    const user = world.reddit.users.find((u) => u.name === s.author);
    expect(about.body.kind).toBe('t2');
    expect(about.body.data.created_utc).toBe(user?.createdUtc);
    expect(about.body.data.link_karma).toBe(user?.linkKarma);
    expect(about.body.data.comment_karma).toBe(user?.commentKarma);
    expect((await getJson(`${sim.reddit.baseUrl}/user/no_such_user_xyz/about`, token)).status).toBe(404);
  });

  it('shows deleted and removed content the way Reddit does', async () => {
    const deleted = world.reddit.submissions.find((s) => s.deleted === 'deleted');
    const removed = world.reddit.comments.find((c) => c.deleted === 'removed');
    expect(deleted && removed).toBeTruthy();
    const info = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t3_${deleted?.id},t1_${removed?.id}`, token);
    const [d, r] = info.body.data.children.map((x) => x.data);
    expect(d.author).toBe('[deleted]');
    expect(d.selftext).toBe('[deleted]');
    expect(d.author_fullname).toBeUndefined();
    expect(r.body).toBe('[removed]');
    expect(r.author).toBe('[deleted]');
    // Runtime deletion: the item stays in the listing, marked deleted.
    const live = world.reddit.submissions.find((s) => !s.deleted && s.subreddit === 'fitness') as (typeof world.reddit.submissions)[number];
    sim.reddit.sim.deleteItem(`t3_${live.id}`, 'deleted');
    const after = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t3_${live.id}`, token);
    expect(after.body.data.children[0].data.author).toBe('[deleted]');
  });

  it('escapes text unless raw_json=1, and searches within a subreddit', async () => {
    const s = sim.reddit.sim.addSubmission({ subreddit: 'gadgets', author: 'sim_poster', title: 'Zephyrix <b>&</b> test', selftext: 'unique zephyrix words' });
    const escaped = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t3_${s.id}`, token);
    expect(escaped.body.data.children[0].data.title).toBe('Zephyrix &lt;b&gt;&amp;&lt;/b&gt; test');
    const raw = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t3_${s.id}&raw_json=1`, token);
    expect(raw.body.data.children[0].data.title).toBe('Zephyrix <b>&</b> test');
    const newest = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/r/gadgets/new?limit=1`, token);
    expect(newest.body.data.children[0].data.id).toBe(s.id);
    const found = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/r/gadgets/search?q=zephyrix&restrict_sr=1&sort=new`, token);
    expect(found.body.data.children.map((c) => c.data.id)).toEqual([s.id]);
    const elsewhere = await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/r/fitness/search?q=zephyrix&restrict_sr=1&sort=new`, token);
    expect(elsewhere.body.data.children).toEqual([]);
    const product = world.products[0];
    const byName = await getJson<{ data: ListingData }>(
      `${sim.reddit.baseUrl}/r/all/search?q=${encodeURIComponent(`"${product.name}"`)}&sort=new&limit=100`,
      token,
    );
    const expected = world.reddit.submissions.filter((x) => !x.deleted && `${x.title} ${x.selftext}`.toLowerCase().includes(product.name.toLowerCase()));
    expect(byName.body.data.children.length).toBe(Math.min(100, expected.length));
  });
});

describe('reddit imitation agrees with recorded real traffic', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ world: generateWorld({ seed: 7, scale: 'small' }), rateLimits: { reddit: { limit: 10_000, windowMs: 60_000 } } });
    token = await redditToken(sim.reddit.authUrl);
  });
  afterAll(() => sim.close());

  type Thing = { kind: string; data: Record<string, unknown> };
  const recordedTree = () =>
    JSON.parse(loadBetamax(cassette('reddit/asyncpraw/TestMore.test_comments.json')).find((r) => r.url.pathname.startsWith('/comments/'))!.body) as {
      data: { children: Thing[] };
    }[];
  const raw = async (url: string) => (await fetch(url, { headers: { authorization: `bearer ${token}` } })).text();

  it('gives the fields ringwatch reads the types the real API gives them, times as floats', async () => {
    const real = recordedTree();
    const realSub = real[0].data.children[0].data;
    const realCom = real[1].data.children[0].data;
    const link = [...sim.world.reddit.submissions].filter((x) => !x.deleted).sort((a, b) => b.numComments - a.numComments)[0];
    const text = await raw(`${sim.reddit.baseUrl}/comments/${link.id}?raw_json=1&limit=50`);
    const mine = JSON.parse(text) as { data: { children: Thing[] } }[];
    const simSub = mine[0].data.children[0].data;
    const simCom = mine[1].data.children.find((t) => t.kind === 't1')!.data;
    const type = (v: unknown) => (v === null ? 'null' : typeof v);
    for (const f of ['id', 'name', 'author', 'title', 'selftext', 'created_utc', 'subreddit', 'permalink', 'url', 'is_self', 'score', 'num_comments', 'edited'])
      expect([f, type(simSub[f])]).toEqual([f, type(realSub[f])]);
    for (const f of ['id', 'name', 'author', 'body', 'created_utc', 'parent_id', 'link_id', 'permalink', 'subreddit', 'score', 'depth', 'edited'])
      expect([f, type(simCom[f])]).toEqual([f, type(realCom[f])]);
    // As written on the wire: "created_utc": 1439797480.0, "edited": false.
    expect(JSON.stringify(realSub.created_utc)).toBe('1439797480');
    expect(text).toMatch(/"created_utc":\d+\.0[,}]/);
    expect(text).not.toMatch(/"created_utc":\d+[,}]/);
    expect(text).toMatch(/"edited":false/);
  });

  it('edits: `edited` turns from false into the float epoch of the edit, the text changes', async () => {
    const c = sim.world.reddit.comments.find((x) => !x.deleted) as (typeof sim.world.reddit.comments)[number];
    expect(sim.reddit.sim.editItem(`t1_${c.id}`, 'edited words')).toBe(true);
    const text = await raw(`${sim.reddit.baseUrl}/api/info?id=t1_${c.id}&raw_json=1`);
    expect(text).toMatch(/"edited":\d+\.0[,}]/);
    const d = (JSON.parse(text) as { data: { children: Thing[] } }).data.children[0].data;
    expect(d.body).toBe('edited words');
    expect(d.edited as number).toBeGreaterThanOrEqual(c.createdUtc);
  });

  it('cuts threads at the depth limit with "continue this thread" stubs, followed by /comments/<link>/_/<comment>', async () => {
    const link = sim.world.reddit.submissions.find((x) => !x.deleted) as (typeof sim.world.reddit.submissions)[number];
    // A chain of 6 replies under the submission.
    let parent = `t3_${link.id}`;
    const chain: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = sim.reddit.sim.addComment({ parent, author: 'chain_poster', body: `level ${i}` });
      chain.push(c.id);
      parent = `t1_${c.id}`;
    }
    const tree = JSON.parse(await raw(`${sim.reddit.baseUrl}/comments/${link.id}?raw_json=1&depth=3&limit=500&sort=new`)) as { data: { children: Thing[] } }[];
    const find = (things: Thing[], id: string): Thing | undefined => {
      for (const t of things) {
        if (t.data.id === id) return t;
        const r = t.data.replies as { data: { children: Thing[] } } | '';
        const f = r ? find(r.data.children, id) : undefined;
        if (f) return f;
      }
      return undefined;
    };
    const third = find(tree[1].data.children, chain[2]) as Thing;
    const stub = (third.data.replies as { data: { children: Thing[] } }).data.children[0];
    // The real stub's shape (TestMore.test_comments: 6 of them at depth 10).
    const realStub = { count: 0, name: 't1__', id: '_', parent_id: 't1_cu61zil', depth: 10, children: [] };
    expect(Object.keys(stub.data).sort()).toEqual(Object.keys(realStub).sort());
    expect(stub).toEqual({ kind: 'more', data: { count: 0, name: 't1__', id: '_', parent_id: `t1_${chain[2]}`, depth: 3, children: [] } });
    const below = JSON.parse(await raw(`${sim.reddit.baseUrl}/comments/${link.id}/_/${chain[2]}?raw_json=1&depth=3`)) as { data: { children: Thing[] } }[];
    expect(below[0].data.children[0].data.name).toBe(`t3_${link.id}`);
    const focus = below[1].data.children[0];
    expect(focus.data.id).toBe(chain[2]);
    // Three levels again from the comment: chain[3..4], then the next stub.
    expect(find([focus], chain[4])?.data.body).toBe('level 4');
    expect(find([focus], chain[5])).toBeUndefined();
    expect(((find([focus], chain[4]) as Thing).data.replies as { data: { children: Thing[] } }).data.children[0].data).toMatchObject({
      id: '_',
      parent_id: `t1_${chain[4]}`,
    });
  });

  it('keeps the body of a comment whose author deleted the account, as the recordings show', async () => {
    const real = recordedTree();
    const gone: Thing[] = [];
    const walk = (things: Thing[]) => {
      for (const t of things) {
        if (t.kind === 't1' && t.data.author === '[deleted]' && !['[deleted]', '[removed]'].includes(String(t.data.body))) gone.push(t);
        const r = t.data.replies as { data: { children: Thing[] } } | '' | undefined;
        if (r) walk(r.data.children);
      }
    };
    walk(real[1].data.children);
    expect(gone.length).toBeGreaterThan(10);
    const c = sim.world.reddit.comments.filter((x) => !x.deleted).at(-1) as (typeof sim.world.reddit.comments)[number];
    sim.reddit.sim.deleteItem(`t1_${c.id}`, 'account');
    const d = (await getJson<{ data: ListingData }>(`${sim.reddit.baseUrl}/api/info?id=t1_${c.id}&raw_json=1`, token)).body.data.children[0].data;
    expect(d.author).toBe('[deleted]');
    expect(d.body).toBe(c.body);
    expect(d.author_fullname).toBeUndefined();
  });

  it('answers private and quarantined subreddits 403 with the reason, banned ones 404', async () => {
    const [a, b, c] = [...new Set(sim.world.reddit.submissions.map((x) => x.subreddit))];
    sim.reddit.sim.setSubredditAccess(a, 'private');
    sim.reddit.sim.setSubredditAccess(b, 'quarantined');
    sim.reddit.sim.setSubredditAccess(c, 'banned');
    try {
      const p = await getJson<{ reason: string; error: number }>(`${sim.reddit.baseUrl}/r/${a}/new`, token);
      expect([p.status, p.body.reason, p.body.error]).toEqual([403, 'private', 403]);
      const q = await getJson<{ reason: string }>(`${sim.reddit.baseUrl}/r/${b}/search?q=x&restrict_sr=1`, token);
      expect([q.status, q.body.reason]).toEqual([403, 'quarantined']);
      const inside = sim.world.reddit.submissions.find((x) => x.subreddit === b) as (typeof sim.world.reddit.submissions)[number];
      expect((await getJson(`${sim.reddit.baseUrl}/comments/${inside.id}`, token)).status).toBe(403);
      const n = await getJson<{ reason: string }>(`${sim.reddit.baseUrl}/r/${c}/new`, token);
      expect([n.status, n.body.reason]).toEqual([404, 'banned']);
    } finally {
      for (const x of [a, b, c]) sim.reddit.sim.setSubredditAccess(x, null);
    }
    expect((await getJson(`${sim.reddit.baseUrl}/r/${a}/new`, token)).status).toBe(200);
  });
});

describe('reddit rate limits', () => {
  it('counts per client id, sends Reddit headers and answers 429 past the limit', async () => {
    const sim = await startSimulator({ world, rateLimits: { reddit: { limit: 20, windowMs: 2000 } } });
    try {
      // Start at the beginning of a window so all requests fall into one.
      await sleep(2000 - (Date.now() % 2000) + 20);
      const t1 = await redditToken(sim.reddit.authUrl, DEFAULT_REDDIT_CLIENTS[0]);
      const t2 = await redditToken(sim.reddit.authUrl, DEFAULT_REDDIT_CLIENTS[1]);
      const statuses: number[] = [];
      const remaining: string[] = [];
      for (let i = 0; i < 22; i++) {
        const res = await getJson(`${sim.reddit.baseUrl}/r/gadgets/new?limit=1`, t1);
        statuses.push(res.status);
        remaining.push(res.headers.get('x-ratelimit-remaining') as string);
        expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(2);
      }
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
      expect(remaining[0]).toBe('19.0');
      expect(remaining[19]).toBe('0.0');
      // Another client id has its own budget.
      expect((await getJson(`${sim.reddit.baseUrl}/r/gadgets/new?limit=1`, t2)).status).toBe(200);
      await sleep(2000 - (Date.now() % 2000) + 20);
      const again = await getJson(`${sim.reddit.baseUrl}/r/gadgets/new?limit=1`, t1);
      expect(again.status).toBe(200);
      expect(again.headers.get('x-ratelimit-used')).toBe('1');
      const stats = sim.stats();
      expect(stats.byClient[`reddit ${DEFAULT_REDDIT_CLIENTS[0].id}`].rateLimited).toBe(2);
      expect(stats.byEndpoint['reddit GET /r/{sub}/new'].requests).toBe(24);
    } finally {
      await sim.close();
    }
  });
});
