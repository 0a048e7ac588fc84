// Ingest and analysis at once (issue 7 §3): `ringwatch crawl reddit` ingests from the
// simulator at a sustained rate (the simulator's rate limit) while analysts query the API
// (`ringwatch serve`) with autocannon at a fixed rate. Both are real CLI child processes on
// one embedded store, as on one machine. Measured in one run, side by side:
//   API p99 idle vs under ingest, and ingest rate alone vs under API load.
// `npm run bench -- load`. Env: LOAD_RATE (API req/s, default 200, the API goal's rate),
// LOAD_SIM_RPS (crawl requests/s allowed by the simulator, default 100), LOAD_REQUESTS
// (crawl requests, default 1200).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index';
import { createApiKey } from '../queries/keys';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS, generateWorld, startSimulator } from '../sim/index';
import { freePort, startEmbedded } from '../storage/embedded';
import { openStore } from '../storage/store';
import { detectRings } from '../analysis/rings/detect';
import { writeDetection } from '../queries/detection';
import { worldDocs } from './api';
import type { BenchRow } from './types';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'ringwatch.mjs');
const say = (m: string) => process.stderr.write(`bench load: ${m}\n`);

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', () => {});
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  return { child, done };
}

export async function benchLoad(): Promise<BenchRow[]> {
  const apiRate = Number(process.env.LOAD_RATE ?? 200);
  const simRps = Number(process.env.LOAD_SIM_RPS ?? 100);
  const maxRequests = Number(process.env.LOAD_REQUESTS ?? 1200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-load-'));
  const store = await startEmbedded({ dataDir: path.join(dir, 'store') });
  const world = generateWorld({ seed: 3, scale: 'small' });
  const sim = await startSimulator({ world, rateLimits: { reddit: { limit: simRps * 10, windowMs: 10_000 } } });
  const children: ChildProcess[] = [];
  try {
    const configFile = path.join(dir, 'ringwatch.config.json');
    writeFileSync(configFile, JSON.stringify({ reddit: { subreddits: world.subreddits, comments: true, fetchAuthors: true, userAgent: 'bench:ringwatch-load:v1 (by /u/sim_user)', rateWindowSec: 10 } }));
    const env = (database: string): NodeJS.ProcessEnv => ({
      ...process.env,
      RINGWATCH_CONFIG: configFile,
      RINGWATCH_DATA: dir,
      RINGWATCH_DB: database,
      RINGWATCH_LOG_LEVEL: 'error',
      RINGWATCH_RATE_LIMIT: String(1_000_000_000),
      MONGODB_URI: store.uri,
      REDDIT_BASE_URL: sim.reddit.baseUrl,
      REDDIT_AUTH_URL: sim.reddit.authUrl,
      REDDIT_CLIENT_ID: DEFAULT_REDDIT_CLIENTS[0].id,
      REDDIT_CLIENT_SECRET: DEFAULT_REDDIT_CLIENTS[0].secret,
      REDDIT_USERNAME: DEFAULT_REDDIT_LOGINS[0].username,
      REDDIT_PASSWORD: DEFAULT_REDDIT_LOGINS[0].password,
    });

    // The analysts' database: the small world as crawled and enriched.
    say('seeding the analysts’ database (small world) …');
    const config = loadConfig({ cwd: dir, env: env('analysts') });
    const s = await openStore(config, { uri: store.uri, database: 'analysts' });
    const docs = worldDocs(world, config, { text: true });
    await s.accounts.upsertMany(docs.accounts);
    for (let i = 0; i < docs.posts.length; i += 2000) await s.posts.upsertMany(docs.posts.slice(i, i + 2000));
    // Scores and rings, so that the filtered list has rows to return.
    await writeDetection(s, detectRings({ posts: docs.posts, accounts: docs.accounts }), 'bench-load', new Date(world.now), { since: new Date(0), until: new Date(world.now) });
    const key = (await createApiKey(s, { role: 'analyst', actor: 'bench' })).key;
    const ids = docs.accounts.slice(0, 500).map((a) => a._id);
    await s.close();

    const port = await freePort();
    const server = run(['serve', '--port', String(port), '--host', '127.0.0.1'], env('analysts'), dir);
    children.push(server.child);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${base}/api/me`, { headers: { 'x-api-key': key } }).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    for (const p of [`/api/accounts/${encodeURIComponent(ids[0])}`, '/api/accounts?platform=reddit&limit=50', `/api/accounts/${encodeURIComponent(ids[1])}?posts=20`]) {
      const t0 = Date.now();
      const r = await fetch(`${base}${p}`, { headers: { 'x-api-key': key } });
      const body = await r.text();
      say(`${p}: ${r.status} ${body.length} bytes in ${Date.now() - t0} ms`);
    }
    let n = 0;
    const query = (seconds: number) =>
      autocannon({
        url: base,
        connections: 10,
        overallRate: apiRate,
        duration: seconds,
        headers: { 'x-api-key': key },
        // Analysts' mix: four account look-ups (with their recent posts), then a filtered list.
        requests: [
          ...Array.from({ length: 4 }, () => ({ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/accounts/${encodeURIComponent(ids[n++ % ids.length])}?posts=20` }) })),
          { method: 'GET', path: '/api/accounts?platform=reddit&limit=50' },
        ],
      });
    const ingest = async (database: string) => {
      const t0 = Date.now();
      const { done } = run(['--json', 'crawl', 'reddit', '--max-requests', String(maxRequests)], env(database), dir);
      const r = await done;
      const ms = Date.now() - t0;
      const json = JSON.parse(r.out.slice(r.out.indexOf('{'))) as { items: number; new: number; requests: number };
      return { ms, posts: json.items, requests: json.requests };
    };

    say(`API alone: ${apiRate} req/s for 10 s …`);
    await query(3); // warm-up
    const idle = await query(10);
    say(`ingest alone: ${maxRequests} crawl requests at ≤ ${simRps}/s …`);
    const alone = await ingest('ingest_alone');
    say('ingest and API together …');
    const together = ingest('ingest_loaded');
    const loadedApi = await query(Math.max(5, Math.floor(alone.ms / 1000) - 1));
    const loaded = await together;

    const perSec = (x: { posts: number; ms: number }) => x.posts / (x.ms / 1000);
    const note = `${apiRate} req/s API, crawl at ≤ ${simRps} req/s, one embedded store, ${os.cpus().length} cores`;
    return [
      { suite: 'load', case: 'API p99, idle', n: idle.requests.total, value: idle.latency.p99, unit: 'ms', note: `p50 ${idle.latency.p50} ms, non-2xx ${idle.non2xx}` },
      { suite: 'load', case: 'API p99, under ingest', n: loadedApi.requests.total, value: loadedApi.latency.p99, unit: 'ms', note: `p50 ${loadedApi.latency.p50} ms, non-2xx ${loadedApi.non2xx}` },
      { suite: 'load', case: 'API p99 ratio (under ingest / idle)', n: loadedApi.requests.total, value: loadedApi.latency.p99 / Math.max(1, idle.latency.p99), unit: '×', note },
      { suite: 'load', case: 'ingest, alone', n: alone.posts, value: perSec(alone), unit: 'posts/s', note: `${alone.requests} requests in ${(alone.ms / 1000).toFixed(1)} s (incl. CLI start)` },
      { suite: 'load', case: 'ingest, under API load', n: loaded.posts, value: perSec(loaded), unit: 'posts/s', note: `${loaded.requests} requests in ${(loaded.ms / 1000).toFixed(1)} s (incl. CLI start)` },
      { suite: 'load', case: 'ingest ratio (under API load / alone)', n: loaded.posts, value: perSec(loaded) / perSec(alone), unit: '×', note },
    ];
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sim.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
