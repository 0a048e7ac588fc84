// Co-share detection on real data against the QUT coordination-network-toolkit, in the
// same run (`npm run bench -- coshare`; issue 11):
//  - the toolkit's co-link network over every shared object of german-elections-2021
//    (bench/peers/coshare.py: time window 10 s = CooRTweet's default, min edge weight 2 =
//    the toolkit's CLI default, i.e. co-shared on at least two occasions), timed;
//  - `import coactions` + `detect --all` into the embedded store, timed;
//  - how many of the toolkit network's accounts ringwatch surfaces: members of a reported
//    ring (whose evidence lists the co-shared objects and the co_share edges), and, more
//    loosely, accounts whose own stored score is ≥ SCORE_THRESHOLD with evidence posts.
// Data: ../shared/datasets/german-elections-2021/posts.csv.gz (or RINGWATCH_DATASETS);
// RINGWATCH_BENCH_COSHARE_FILE runs it on another co-action file, in that form or CooRTweet's
// (object_id, account_id, content_id, timestamp_share).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { rocAuc } from '../analysis/metrics';
import { loadConfig } from '../config/index';
import { runDetect } from '../jobs/detect';
import { runImportJob } from '../jobs/import';
import { startEmbedded } from '../storage/embedded';
import { openStore } from '../storage/store';
import { coactionFilePosts } from '../test/helpers/coaction-file';
import { datasetPath } from '../test/helpers/datasets';
import type { Post } from '../storage/types';
import type { BenchRow } from './types';

const SUITE = 'coshare';
const PEER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'coshare.py');
const PIPELINE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'coshare-pipeline.ts');
const SOURCE = 'german-elections-2021';
/** An account outside any ring counts as surfaced by its own score from this up (0–1). */
export const SCORE_THRESHOLD = 0.5;

interface PeerReport {
  version: string;
  time_window: number;
  min_edge_weight: number;
  n_cpus: number;
  seconds: { convert: number; preprocess: number; compute: number };
  messages: number;
  edges: number;
  accounts: string[];
}

export function runPeer(file: string, work: string, timeWindowS?: number): PeerReport | { error: string } {
  const res = spawnSync('python3', [PEER_SCRIPT, file, work, ...(timeWindowS === undefined ? [] : [String(timeWindowS)])], { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 2 ** 20 });
  if (res.error) return { error: `python3 failed: ${res.error.message}` };
  if (res.status !== 0) return { error: `peer exited ${res.status}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  try {
    return JSON.parse(res.stdout.trim().split('\n').pop() as string) as PeerReport;
  } catch (err) {
    return { error: `peer output unreadable: ${(err as Error).message}` };
  }
}

/** The file's posts as the import would store them, in memory (rows of one post merged). */
export function postsInMemory(file: string): Post[] {
  return coactionFilePosts(file, SOURCE);
}

export async function benchCoshare(): Promise<BenchRow[]> {
  const file = process.env.RINGWATCH_BENCH_COSHARE_FILE ?? datasetPath('german-elections-2021/posts.csv.gz');
  if (!file) return [{ suite: SUITE, case: 'skipped', n: 0, value: 0, unit: '', note: 'german-elections-2021 not found in ../shared/datasets (set RINGWATCH_DATASETS)' }];
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-coshare-'));
  try {
    const load = () => `load ${os.loadavg()[0].toFixed(1)}`;
    const peer = runPeer(file, path.join(dir, 'peer'));
    if ('error' in peer) {
      rows.push({ suite: SUITE, case: 'toolkit co-link network', n: 0, value: 0, unit: 's', note: peer.error });
    } else {
      const toolkit = peer.seconds.preprocess + peer.seconds.compute;
      rows.push({ suite: SUITE, case: `toolkit ${peer.version} convert (ours, not the toolkit's)`, n: peer.messages, value: peer.seconds.convert, unit: 's', note: load() });
      rows.push({ suite: SUITE, case: `toolkit preprocess + co_link compute (${peer.time_window} s, weight ≥ ${peer.min_edge_weight}, ${peer.n_cpus} cpus)`, n: peer.messages, value: toolkit, unit: 's', note: `preprocess ${peer.seconds.preprocess.toFixed(1)} s, compute ${peer.seconds.compute.toFixed(1)} s; ${peer.accounts.length} accounts, ${peer.edges} edges` });
    }

    // The detection pipeline alone on the same posts (no store): what the analysis costs. In a child
    // process (bench/coshare-pipeline.ts): its heap would slow the store rows measured after it.
    {
      // With this process's young-generation size (npm run bench and the CLI start node with it).
      const heap = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size'));
      const res = spawnSync(process.execPath, [...heap, '--import', 'tsx', PIPELINE_SCRIPT, file], { cwd: path.dirname(path.dirname(PIPELINE_SCRIPT)), encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 16 * 2 ** 20 });
      const out = res.status === 0 ? (JSON.parse(res.stdout.trim().split('\n').pop() as string) as { posts: number; seconds: number; rings: number; edges: number }) : null;
      rows.push(
        out
          ? { suite: SUITE, case: 'ringwatch detection pipeline alone (in memory)', n: out.posts, value: out.seconds, unit: 's', note: `${out.rings} rings, ${out.edges} edges; ${load()}` }
          : { suite: SUITE, case: 'ringwatch detection pipeline alone (in memory)', n: 0, value: 0, unit: 's', note: `failed: ${res.error?.message ?? res.stderr.trim().split('\n').slice(-2).join(' | ')}` },
      );
    }

    const embedded = await startEmbedded({ dataDir: path.join(dir, 'store') });
    const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
    const store = await openStore(config, { uri: embedded.uri, database: 'bench_coshare' });
    try {
      const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'bench-coshare' };
      let t = performance.now();
      const imported = await runImportJob(ctx, { what: 'coactions', file, source: SOURCE, rejects: path.join(dir, 'rejects.csv') });
      const importS = (performance.now() - t) / 1000;
      rows.push({ suite: SUITE, case: 'ringwatch import coactions (embedded store)', n: imported.read, value: importS, unit: 's', note: `${imported.imported} posts, ${imported.rejected} rows refused; ${load()}` });
      t = performance.now();
      // The job reports its phases through progress (load posts, load rings, analyse, write).
      const phases: { at: number; step: number }[] = [];
      const progress = (done: number, total?: number) => {
        if (total === 4) phases.push({ at: performance.now(), step: done });
      };
      const detected = await runDetect({ ...ctx, progress, runId: 'bench-coshare-detect' }, { all: true });
      const detectS = (performance.now() - t) / 1000;
      const phase = (a: number, b: number) => {
        const x = phases.find((p) => p.step === a);
        const y = phases.find((p) => p.step === b);
        return x && y ? ((y.at - x.at) / 1000).toFixed(1) : '?';
      };
      rows.push({
        suite: SUITE, case: 'ringwatch detect --all', n: detected.posts, value: detectS, unit: 's',
        note: `load posts ${phase(0, 1)} s, analyse ${phase(2, 3)} s, write ${phase(3, 4)} s; ${detected.rings} rings, ${detected.edges} edges; ${load()}`,
      });
      if ('error' in peer) return rows;
      const toolkit = peer.seconds.preprocess + peer.seconds.compute;
      rows.push({ suite: SUITE, case: 'ringwatch import + detect / toolkit preprocess + compute', n: imported.read, value: (importS + detectS) / toolkit, unit: '×', note: `${(importS + detectS).toFixed(1)} s vs ${toolkit.toFixed(1)} s (goal ≤ 1×)` });

      const rings = await store.rings.find({}, { projection: { _id: 1, members: 1 } });
      const ringOf = new Map<string, string>();
      for (const r of rings) for (const m of r.members) ringOf.set(m, r._id);
      const ids = peer.accounts.map((a) => `${SOURCE}:${a}`);
      const scores = await store.scores.getMany(ids);
      let inRing = 0;
      let byScore = 0;
      for (const id of ids) {
        if (ringOf.has(id)) inRing++;
        else {
          const s = scores.get(id);
          if (s && s.score >= SCORE_THRESHOLD && s.evidencePosts.length > 0) byScore++;
        }
      }
      const n = ids.length;
      const pct = (k: number) => (n > 0 ? (100 * k) / n : 0);
      rows.push({ suite: SUITE, case: "toolkit network's accounts in a ringwatch ring", n, value: pct(inRing), unit: '%', note: `${inRing} of ${n}, in ${new Set(ids.map((i) => ringOf.get(i)).filter(Boolean)).size} rings (goal ≥ 80 % surfaced)` });
      rows.push({ suite: SUITE, case: `… in a ring or own score ≥ ${SCORE_THRESHOLD} with evidence`, n, value: pct(inRing + byScore), unit: '%', note: `${inRing + byScore} of ${n}` });
      const toolkitSet = new Set(ids);
      // The ranking view (how CooRTweet's network is compared with a score: the top n accounts).
      const all: { id: string; score: number }[] = [];
      for await (const s of store.scores.summaries()) all.push({ id: s.accountId, score: s.score });
      all.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
      for (const k of [n, 2 * n]) {
        const hit = all.slice(0, k).filter((a) => toolkitSet.has(a.id)).length;
        rows.push({ suite: SUITE, case: `toolkit network's accounts among ringwatch's ${k} highest scores`, n: k, value: pct(hit), unit: '%', note: `${hit} of ${n}` });
      }
      const auc = rocAuc(all.map((a) => a.score), all.map((a) => (toolkitSet.has(a.id) ? 1 : 0)));
      rows.push({ suite: SUITE, case: 'ROC AUC of the account score for toolkit-network membership', n: all.length, value: Math.round(auc * 1000) / 1000, unit: '', note: `${n} of ${all.length} accounts in the network` });
      const only = [...ringOf.keys()].filter((m) => !toolkitSet.has(m)).length;
      rows.push({ suite: SUITE, case: 'ring members outside the toolkit network', n: ringOf.size, value: only, unit: 'accounts', note: `of ${ringOf.size} ring members in ${rings.length} rings` });
    } finally {
      await store.close();
      await embedded.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
