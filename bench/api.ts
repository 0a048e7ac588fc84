// HTTP API latency on loopback against a store holding the medium simulator world
// (issue 6 §5): account look-up by id and the filtered accounts list at 200 requests/s
// (evenly paced, bench/paced.ts; and autocannon's per-second bursts) and unthrottled
// (autocannon); the ring report PDF through its route.
// `npm run bench -- api`. Goals: look-up p99 ≤ 50 ms at 200 req/s; list p99 ≤ 250 ms.
//
// The server runs in a child process (this file with `--serve`), as `ringwatch serve`
// would, so that autocannon's own work does not share the server's event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DetectAccount } from '../analysis/graph/types';
import { createEnricher } from '../analysis/nlp/enrich';
import { detectRings } from '../analysis/rings/detect';
import type { LinkableEscalation } from '../analysis/rings/links';
import { median } from '../analysis/escalations/anomaly';
import { cleanEscalationRow } from '../importers/rows';
import { isoWeek } from '../analysis/time';
import { type Config, loadConfig } from '../config/index';
import { createLogger } from '../config/logger';
import { cleaningOptions } from '../importers/escalations';
import { writeDetection } from '../queries/detection';
import { buildServer } from '../server/app';
import { createApiKey } from '../queries/keys';
import { redditAccountId, twitterAccountId, webAccountId } from '../sim/ids';
import { generateWorld, type Scale, type World } from '../sim/world';
import { startEmbedded } from '../storage/embedded';
import { openStore, type Store } from '../storage/store';
import type { Account, Escalation, Post, Product } from '../storage/types';
import { pacedLoad } from './paced';
import type { BenchRow } from './types';

// autocannon ships no type declarations; this is the part of its API used here.
interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DATABASE = 'ringwatch';
const LOOKUP_GOAL_MS = 50;
const LIST_GOAL_MS = 250;
const FIXED_RATE = 200;
const LIST_PATH = '/api/accounts?platform=reddit&minScore=0.5&sort=score&limit=50';

function progress(msg: string): void {
  process.stderr.write(`bench api: ${msg}\n`);
}

/** Benchmarks need a config whose rate limit never answers 429 (the per-key limit is 600/min by default). */
export function benchConfig(dataDir: string): Config {
  return loadConfig({ cwd: dataDir, env: { RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'silent', RINGWATCH_RATE_LIMIT: String(1_000_000_000) } });
}

export interface WorldDocs {
  accounts: Account[];
  posts: Post[];
  products: Product[];
  escalations: Escalation[];
}

/**
 * The documents the crawlers, `enrich` and `import` would have stored for a simulator
 * world: posts with platform ids and full enrichment, their authors, the catalogue and
 * the escalation cases. Like test/analysis/rings/world-input.ts, deleted items and posts by
 * unknown authors are left out, and only accounts that posted are stored.
 */
export function worldDocs(world: World, config: Config, opts: { text?: boolean; onProgress?: (done: number, total: number) => void } = {}): WorldDocs {
  const withText = opts.text ?? true;
  const products: Product[] = world.products.map((p) => ({ _id: p.id, name: p.name, brand: p.brand, category: p.category, aliases: p.aliases }));
  const enricher = createEnricher(products);
  const fetchedAt = new Date(world.now);
  const total = world.reddit.submissions.length + world.reddit.comments.length + world.twitter.tweets.length + world.web.reviews.length;
  let done = 0;
  const enrich = (text: string, title?: string): Post['enrichment'] => {
    if (++done % 5000 === 0) opts.onProgress?.(done, total);
    return withText ? { ...enricher.enrich(text, title), enrichedAt: fetchedAt } : undefined;
  };
  const posts: Post[] = [];
  const post = (p: Omit<Post, 'week' | 'fetchedAt'>) => posts.push({ ...p, week: isoWeek(p.createdAt), fetchedAt });

  const redditUsers = new Map(world.reddit.users.map((u) => [u.name, u]));
  const authorOf = new Map<string, string>();
  for (const s of world.reddit.submissions) authorOf.set(`t3_${s.id}`, s.author);
  for (const c of world.reddit.comments) authorOf.set(`t1_${c.id}`, c.author);
  for (const s of world.reddit.submissions) {
    if (s.deleted || !redditUsers.has(s.author)) continue;
    post({
      _id: `reddit:t3_${s.id}`, platform: 'reddit', kind: 'submission', externalId: `t3_${s.id}`,
      accountId: redditAccountId(s.author), author: s.author, createdAt: new Date(s.createdUtc * 1000),
      title: s.title, text: s.selftext, url: `https://www.reddit.com/r/${s.subreddit}/comments/${s.id}/`,
      community: s.subreddit, links: s.linkUrl ? [s.linkUrl] : undefined, score: s.score,
      source: `sim:reddit:r/${s.subreddit}/new`, enrichment: enrich(s.selftext, s.title),
    });
  }
  for (const c of world.reddit.comments) {
    if (c.deleted || !redditUsers.has(c.author)) continue;
    const parentAuthor = authorOf.get(c.parentId);
    post({
      _id: `reddit:t1_${c.id}`, platform: 'reddit', kind: 'comment', externalId: `t1_${c.id}`,
      accountId: redditAccountId(c.author), author: c.author, createdAt: new Date(c.createdUtc * 1000),
      text: c.body, community: c.subreddit, parentId: `reddit:${c.parentId}`,
      replyToAccountId: parentAuthor && redditUsers.has(parentAuthor) ? redditAccountId(parentAuthor) : undefined,
      score: c.score, source: `sim:reddit:r/${c.subreddit}/comments`, enrichment: enrich(c.body),
    });
  }
  const twitterUsers = new Map(world.twitter.users.map((u) => [u.id, u]));
  for (const t of world.twitter.tweets) {
    const user = twitterUsers.get(t.authorId);
    if (t.deleted || !user) continue;
    const parent = t.referenced?.find((r) => r.type === 'replied_to');
    post({
      _id: `twitter:${t.id}`, platform: 'twitter', kind: 'tweet', externalId: t.id,
      accountId: twitterAccountId(t.authorId), author: user.username, createdAt: new Date(t.createdAt),
      text: t.text, url: `https://x.com/${user.username}/status/${t.id}`,
      parentId: parent ? `twitter:${parent.id}` : undefined,
      replyToAccountId: t.inReplyToUserId ? twitterAccountId(t.inReplyToUserId) : undefined,
      score: t.likes, source: 'sim:twitter:search', enrichment: enrich(t.text),
    });
  }
  for (const r of world.web.reviews) {
    post({
      _id: `web:${r.id}`, platform: 'web', kind: 'review', externalId: r.id,
      accountId: webAccountId(world.webDomain, r.reviewer), author: r.reviewer, createdAt: new Date(r.createdAt),
      title: r.title, text: r.text, community: world.webDomain, product: r.productId, rating: r.rating,
      source: `sim:web:${world.webDomain}`, enrichment: enrich(r.text, r.title),
    });
  }

  // Accounts: platform facts from the world, first/last seen from their posts.
  const seen = new Map<string, { first: Date; last: Date }>();
  for (const p of posts) {
    const s = seen.get(p.accountId);
    if (!s) seen.set(p.accountId, { first: p.createdAt, last: p.createdAt });
    else {
      if (p.createdAt < s.first) s.first = p.createdAt;
      if (p.createdAt > s.last) s.last = p.createdAt;
    }
  }
  const accounts: Account[] = [];
  const account = (a: Omit<Account, 'firstSeenAt' | 'lastSeenAt'>) => {
    const s = seen.get(a._id);
    if (s) accounts.push({ ...a, firstSeenAt: s.first, lastSeenAt: s.last });
  };
  for (const u of world.reddit.users) {
    account({ _id: redditAccountId(u.name), platform: 'reddit', handle: u.name, createdAt: new Date(u.createdUtc * 1000), karma: u.linkKarma + u.commentKarma });
  }
  for (const u of world.twitter.users) {
    account({
      _id: twitterAccountId(u.id), platform: 'twitter', handle: u.username, displayName: u.name, createdAt: new Date(u.createdAt),
      followers: u.followers, following: u.following, verified: u.verified,
    });
  }
  const reviewers = new Set(world.web.reviews.map((r) => r.reviewer));
  for (const name of reviewers) account({ _id: webAccountId(world.webDomain, name), platform: 'web', handle: name });

  const clean = cleaningOptions(config, 'sim:escalations', fetchedAt);
  const escalations: Escalation[] = [];
  for (const row of world.escalations) {
    const r = cleanEscalationRow(row as unknown as Record<string, unknown>, clean);
    if (r.ok) escalations.push(r.doc);
  }
  return { accounts, posts, products, escalations };
}

async function upsertAll<T extends { _id: string }>(name: string, repo: Store['posts'] | Store['accounts'] | Store['products'] | Store['escalations'], docs: T[]): Promise<void> {
  const chunk = 5000;
  let rejected = 0;
  for (let i = 0; i < docs.length; i += chunk) {
    const r = await (repo as unknown as { upsertMany(d: T[]): Promise<{ rejected: unknown[] }> }).upsertMany(docs.slice(i, i + chunk));
    rejected += r.rejected.length;
    if ((i / chunk) % 4 === 3) progress(`  ${name}: ${Math.min(i + chunk, docs.length)}/${docs.length}`);
  }
  if (rejected > 0) throw new Error(`${rejected} ${name} were rejected by the store`);
}

/** Fills an empty store with the medium world and one detection run over it; returns what the load needs. */
async function fillStore(store: Store, config: Config, opts: { seed: number; text: boolean; scale: Scale }): Promise<{ accountIds: string[]; topRing: string; rings: number; posts: number; listMatches: number }> {
  let t = performance.now();
  const world = generateWorld({ seed: opts.seed, scale: opts.scale });
  progress(`world generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const docs = worldDocs(world, config, { text: opts.text, onProgress: (d, n) => progress(`  enriching ${d}/${n}`) });
  progress(`${docs.posts.length} posts, ${docs.accounts.length} accounts, ${docs.escalations.length} cases built${opts.text ? ' and enriched' : ''} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  await upsertAll('products', store.products, docs.products);
  await upsertAll('accounts', store.accounts, docs.accounts);
  await upsertAll('escalations', store.escalations, docs.escalations);
  await upsertAll('posts', store.posts, docs.posts);
  progress(`stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  const escalations: LinkableEscalation[] = docs.escalations.map((e) => ({ _id: e._id, openedAt: e.openedAt, customerHandle: e.customerHandle, product: e.product, text: e.text }));
  const accounts: DetectAccount[] = docs.accounts;
  const result = detectRings({ posts: docs.posts, accounts, escalations });
  progress(`detection: ${result.rings.length} rings, ${result.accounts.length} scored accounts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  await writeDetection(store, result, 'bench-api', new Date(world.now), { since: new Date(0), until: new Date(world.now) });
  progress(`detection written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const top = [...result.rings].sort((a, b) => b.score - a.score)[0];
  if (!top) throw new Error(`detection found no ring in the ${opts.scale} world`);
  const listMatches = result.accounts.filter((a) => a.score >= 0.5 && a.accountId.startsWith('reddit:')).length;
  return { accountIds: docs.accounts.map((a) => a._id), topRing: top._id, rings: result.rings.length, posts: docs.posts.length, listMatches };
}

/** A deterministic shuffle so every run asks for the same ids in the same order. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Requests sent; those still unanswered when the run ended are not in the latencies. */
  sent: number;
  bad: number;
}

async function load(opts: { url: string; key: string; paths: () => string; duration: number; connections: number; rate?: number }): Promise<Load> {
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.duration,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { 'x-api-key': opts.key },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: opts.paths() }) }],
  });
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    // With a rate, autocannon (9.0) counts each connection's per-second share as sent at
    // start instead of its one first request (run.js: `totalRequests += url.rate`).
    sent: result.requests.sent - (opts.rate ? opts.rate - opts.connections : 0),
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/** Starts the API server in a child process against the given store; resolves with its base URL. */
async function startServerProcess(dataDir: string, uri: string): Promise<{ url: string; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', dataDir, uri], {
    cwd: path.resolve(path.dirname(self), '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      const m = /^listening (\S+)$/.exec(l);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the API server process exited with ${code} before listening`)));
  });
  return { url, child };
}

async function serve(dataDir: string, uri: string): Promise<void> {
  const config = benchConfig(dataDir);
  const store = await openStore(config, { uri, database: DATABASE });
  const app = await buildServer({ store, config, log: createLogger('silent') });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening ${address}\n`);
  const stop = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

type Filled = Awaited<ReturnType<typeof fillStore>>;

/**
 * `keepDir` (env BENCH_API_DATA) keeps the filled store in that folder and reuses it on
 * the next run, so that changes to the server can be measured without the ~8 minutes of
 * filling; without it every run starts from an empty temporary store.
 */
export async function benchApi(opts: { seed?: number; text?: boolean; duration?: number; scale?: Scale; keepDir?: string } = {}): Promise<BenchRow[]> {
  const duration = opts.duration ?? 10;
  const keepDir = opts.keepDir ?? process.env.BENCH_API_DATA;
  if (keepDir) mkdirSync(keepDir, { recursive: true });
  const dir = keepDir ?? mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-api-'));
  const filledFile = path.join(dir, 'bench-api-filled.json');
  const config = benchConfig(dir);
  const embedded = await startEmbedded({ dataDir: dir });
  let store: Store | undefined;
  let server: ChildProcess | undefined;
  const rows: BenchRow[] = [];
  try {
    store = await openStore(config, { uri: embedded.uri, database: DATABASE });
    let filled: Filled;
    if (keepDir && existsSync(filledFile)) {
      filled = JSON.parse(readFileSync(filledFile, 'utf8')) as Filled;
      progress(`reusing the store filled earlier in ${dir}`);
    } else {
      filled = await fillStore(store, config, { seed: opts.seed ?? 1, text: opts.text ?? true, scale: opts.scale ?? 'medium' });
      if (keepDir) writeFileSync(filledFile, JSON.stringify(filled));
    }
    const { key } = await createApiKey(store, { role: 'analyst', name: 'bench', actor: 'bench' });
    const started = await startServerProcess(dir, embedded.uri);
    server = started.child;
    const base = started.url;

    // Warm-up: the first account page waits for the server's live views to load (one scan of accounts and of posts).
    let t = performance.now();
    const first = await fetch(`${base}/api/accounts/${encodeURIComponent(filled.accountIds[0])}`, { headers: { 'x-api-key': key } });
    if (first.status !== 200) throw new Error(`warm-up look-up answered ${first.status}: ${await first.text()}`);
    progress(`server up at ${base}; first look-up (waits for the live views' first load) took ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    const list = await fetch(`${base}${LIST_PATH}`, { headers: { 'x-api-key': key } });
    const listBody = (await list.json()) as { items?: unknown[] };
    if (list.status !== 200 || !Array.isArray(listBody.items)) throw new Error(`list answered ${list.status}`);
    progress(`one list request alone: ${Math.round(performance.now() - t)} ms, ${listBody.items.length} items`);

    const ids = shuffled(filled.accountIds, 7);
    let next = 0;
    const lookupPath = () => `/api/accounts/${encodeURIComponent(ids[next++ % ids.length])}`;
    const listPath = () => LIST_PATH;
    const world = `${opts.scale ?? 'medium'} world: ${filled.posts} posts, ${filled.accountIds.length} accounts, ${filled.rings} rings`;

    const row = (kase: string, n: number, value: number, unit: string, note?: string) => rows.push({ suite: 'api', case: kase, n, value, unit, ...(note ? { note } : {}) });
    const report = (name: string, l: Load, goalMs: number, fixed: boolean) => {
      const notes: string[] = [];
      if (fixed && l.reqPerSec < FIXED_RATE * 0.95) notes.push(`could not sustain ${FIXED_RATE} req/s`);
      if (l.bad) notes.push(`${l.bad} non-2xx/errors/timeouts`);
      const unanswered = l.sent - l.requests - l.bad;
      // Latencies cover answered requests only: with many left unanswered, p99 is a lower bound.
      if (unanswered > 0) notes.push(`${unanswered} of ${l.sent} sent still in flight when the run ended`);
      const rate = fixed ? `at ${FIXED_RATE} req/s` : 'unthrottled';
      row(`${name} ${rate}: req/s`, l.requests, l.reqPerSec, 'req/s', notes.join('; ') || undefined);
      row(`${name} ${rate}: p50`, l.requests, l.p50, 'ms');
      const met = l.requests > 0 && unanswered <= l.sent * 0.01 && l.p99 <= goalMs;
      const verdict = met
        ? `goal p99 ≤ ${goalMs} ms met`
        : l.requests === 0
          ? `goal p99 ≤ ${goalMs} ms NOT met (no request answered within ${duration} s)`
          : `goal p99 ≤ ${goalMs} ms NOT met (${(l.p99 / goalMs).toFixed(1)}× the goal${unanswered > 0 ? ', and a lower bound' : ''})`;
      row(`${name} ${rate}: p99`, l.requests, l.p99, 'ms', `${fixed || name === 'list' ? `${verdict}; ` : ''}max ${Math.round(l.max)} ms`);
    };

    const paced = async (name: string, path: () => string, goalMs: number) => {
      const l = await pacedLoad({ url: base, headers: { 'x-api-key': key }, path, rate: FIXED_RATE, durationSec: duration });
      report(`${name} paced`, { ...l, sent: l.requests + l.bad }, goalMs, true);
    };
    progress(`look-up paced at ${FIXED_RATE} req/s for ${duration} s (${world})`);
    await paced('look-up', lookupPath, LOOKUP_GOAL_MS);
    progress(`look-up, autocannon at ${FIXED_RATE} req/s`);
    report('look-up autocannon bursts', await load({ url: base, key, paths: lookupPath, duration, connections: 20, rate: FIXED_RATE }), LOOKUP_GOAL_MS, true);
    progress('look-up unthrottled');
    report('look-up', await load({ url: base, key, paths: lookupPath, duration, connections: 10 }), LOOKUP_GOAL_MS, false);
    progress(`list paced at ${FIXED_RATE} req/s (${filled.listMatches} reddit accounts score ≥ 0.5)`);
    await paced('list', listPath, LIST_GOAL_MS);
    progress(`list, autocannon at ${FIXED_RATE} req/s`);
    report('list autocannon bursts', await load({ url: base, key, paths: listPath, duration, connections: 20, rate: FIXED_RATE }), LIST_GOAL_MS, true);
    progress('list unthrottled');
    report('list', await load({ url: base, key, paths: listPath, duration, connections: 10 }), LIST_GOAL_MS, false);

    progress('ring report PDF ×3');
    // Through the report route, as a policy user downloads it (the server's live post index).
    const { key: policyKey } = await createApiKey(store, { role: 'policy', name: 'bench policy', actor: 'bench' });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const res = await fetch(`${base}/api/rings/${filled.topRing}/report?format=pdf`, { headers: { 'x-api-key': policyKey } });
      const pdf = Buffer.from(await res.arrayBuffer());
      times.push(performance.now() - t);
      if (res.status !== 200 || pdf.subarray(0, 5).toString() !== '%PDF-') throw new Error(`the ring report answered ${res.status}, not a PDF`);
      bytes = pdf.length;
    }
    row('ring report PDF (top ring, median of 3)', 3, median(times), 'ms', `${Math.round(bytes / 1024)} KiB; runs ${times.map((x) => Math.round(x)).join(', ')} ms; GET /api/rings/:id/report?format=pdf`);
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await store?.close();
    await embedded.stop();
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4]);
  else for (const r of await benchApi()) console.log(JSON.stringify(r));
}
