// Digests of the simulator's output, to show a refactoring of sim/ changed nothing:
// worlds for a few seeds and scales, and the answers of the Reddit, X and review-site
// imitations to a fixed walk of requests (status and body; headers carry clock-dependent
// rate-limit values). Run before and after a change and compare: `npx tsx scripts/sim-digest.ts`.
import { createHash } from 'node:crypto';
import { DEFAULT_TWITTER_APPS } from '../sim/twitter';
import { startSimulator } from '../sim/server';
import { generateWorld, type Scale } from '../sim/world';
import { basic } from '../test/sim/helpers';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS } from '../sim/reddit';

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const replacer = (_k: string, v: unknown) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v);

const worlds: [number | string, Scale][] = [
  [1, 'small'],
  [42, 'small'],
  ['digest', 'small'],
  [7, 'medium'],
];
for (const [seed, scale] of worlds) console.log(`world ${seed} ${scale}: ${sha(JSON.stringify(generateWorld({ seed, scale }), replacer))}`);

const sim = await startSimulator({ seed: 5, scale: 'small', rateLimits: { reddit: { limit: 1_000_000, windowMs: 600_000 } } });
try {
  const w = sim.world;
  const client = DEFAULT_REDDIT_CLIENTS[0];
  const login = DEFAULT_REDDIT_LOGINS[0];
  const tokenRes = await fetch(sim.reddit.authUrl, {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: login.username, password: login.password }),
  });
  const redditToken = ((await tokenRes.json()) as { access_token: string }).access_token;
  const xToken = DEFAULT_TWITTER_APPS[0].bearerToken;
  const lines: string[] = [];
  const get = async (url: string, token: string) => {
    const res = await fetch(url, { headers: { authorization: `bearer ${token}` } });
    const text = await res.text();
    lines.push(`${res.status} ${url.replace(/^http:\/\/[^/]+/, '')} ${sha(text)}`);
    return text;
  };
  const r = (p: string) => get(`${sim.reddit.baseUrl}${p}`, redditToken);
  const x = (p: string) => get(`${sim.twitter.baseUrl}${p}`, xToken);

  // Reddit: listings paged to the end, threads, users, search, info, more children.
  for (const sub of [...w.subreddits.slice(0, 3), `${w.subreddits[3]}+${w.subreddits[4]}`, 'nosuchsub']) {
    let after = '';
    for (let i = 0; i < 30; i++) {
      const body = JSON.parse(await r(`/r/${sub}/new?limit=100&raw_json=1${after ? `&after=${after}` : ''}`)) as { data?: { after: string | null } };
      if (!body.data?.after) break;
      after = body.data.after;
    }
  }
  for (const s of w.reddit.submissions.slice(0, 25)) await r(`/comments/${s.id}?limit=500&depth=10&sort=old&raw_json=1`);
  for (const s of w.reddit.submissions.filter((s) => s.numComments > 20).slice(0, 5)) await r(`/comments/${s.id}?limit=20&depth=3`);
  const withMore = w.reddit.comments.filter((c) => c.parentId?.startsWith('t1_')).slice(0, 10);
  for (const c of withMore) await r(`/api/morechildren?link_id=t3_${c.linkId}&children=${c.id}&api_type=json`);
  for (const u of w.reddit.users.slice(0, 12)) {
    await r(`/user/${u.name}/about`);
    await r(`/user/${u.name}/submitted?limit=100`);
    await r(`/user/${u.name}/comments?limit=100`);
  }
  for (const q of [w.products[0].name, w.products[3].name, 'refund', 'zzz-none']) {
    await r(`/search?q=${encodeURIComponent(q)}&sort=new&limit=100`);
    await r(`/r/${w.subreddits[0]}/search?q=${encodeURIComponent(q)}&restrict_sr=1&sort=new&limit=100`);
  }
  await r(`/api/info?id=${w.reddit.submissions.slice(0, 30).map((s) => `t3_${s.id}`).join(',')}`);
  await r(`/api/info?id=${w.reddit.comments.slice(0, 30).map((c) => `t1_${c.id}`).join(',')}`);

  // X: recent search paged to the end, timelines, lookups.
  const fields = 'tweet.fields=created_at,author_id,referenced_tweets,public_metrics,entities,conversation_id,lang&expansions=author_id,referenced_tweets.id&user.fields=created_at,public_metrics,description,verified';
  for (const q of [w.products[0].name, w.products[5].name, 'refund -is:retweet', '"not received"']) {
    let next = '';
    for (let i = 0; i < 30; i++) {
      const body = JSON.parse(await x(`tweets/search/recent?query=${encodeURIComponent(q)}&max_results=100&${fields}${next ? `&next_token=${next}` : ''}`)) as { meta?: { next_token?: string } };
      if (!body.meta?.next_token) break;
      next = body.meta.next_token;
    }
  }
  for (const u of w.twitter.users.slice(0, 12)) {
    await x(`users/${u.id}/tweets?max_results=100&${fields}`);
    await x(`users/${u.id}?user.fields=created_at,public_metrics`);
    await x(`users/by/username/${u.username}?user.fields=created_at`);
  }
  await x(`users?ids=${w.twitter.users.slice(0, 50).map((u) => u.id).join(',')}&user.fields=created_at,public_metrics`);
  await x(`users/by?usernames=${w.twitter.users.slice(0, 50).map((u) => u.username).join(',')}`);
  await x(`tweets?ids=${w.twitter.tweets.slice(0, 100).map((t) => t.id).join(',')}&${fields}`);
  for (const t of w.twitter.tweets.slice(0, 10)) await x(`tweets/${t.id}?${fields}`);
  await x('tweets/search/recent?query=');

  // The review site: its pages as a crawler reads them.
  const web = async (p: string) => {
    const res = await fetch(`${sim.web.baseUrl}${p}`);
    const text = await res.text();
    lines.push(`${res.status} web ${p} ${sha(text)}`);
    return text;
  };
  await web('/');
  await web('/robots.txt');
  for (const p of w.products.slice(0, 5)) await web(`/products/${p.id}`);

  console.log(`requests: ${lines.length}, answers: ${sha(lines.join('\n'))}`);
  if (process.argv.includes('--list')) console.log(lines.join('\n'));
} finally {
  await sim.close();
}
