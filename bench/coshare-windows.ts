// How much the co-share window decides, on real data (`npm run bench -- coshare-windows`):
// the QUT toolkit's co-link network at several time windows (CooRTweet's time_window: 10 s
// is its default, 60 s its retweet example, 600 s its vignette) against ringwatch's account
// scores with its own co-share window at each of them (the pure pipeline, in memory, on the
// same german-elections-2021 rows). Each cell: how many of the toolkit network's accounts
// ringwatch puts among its n highest scores (n = the network's size), how many it surfaces
// (in a ring, or scored ≥ 0.5 with evidence: bench/coshare.ts), and the ROC AUC of the score
// for network membership. The diagonal is "the same definition on both sides"; off it, what
// a user comparing with another tool's window would see.
// RINGWATCH_BENCH_COSHARE_WINDOWS: the windows in seconds (default 10,60,600).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rocAuc } from '../analysis/metrics';
import { detectRings } from '../analysis/rings/detect';
import { datasetPath } from '../test/helpers/datasets';
import { postsInMemory, runPeer, SCORE_THRESHOLD } from './coshare';
import type { BenchRow } from './types';

const SUITE = 'coshare-windows';
const SOURCE = 'german-elections-2021';

export async function benchCoshareWindows(): Promise<BenchRow[]> {
  const file = process.env.RINGWATCH_BENCH_COSHARE_FILE ?? datasetPath('german-elections-2021/posts.csv.gz');
  if (!file) return [{ suite: SUITE, case: 'skipped', n: 0, value: 0, unit: '', note: 'german-elections-2021 not found in ../shared/datasets (set RINGWATCH_DATASETS)' }];
  const windows = (process.env.RINGWATCH_BENCH_COSHARE_WINDOWS ?? '10,60,600').split(',').map((w) => Number(w.trim()));
  if (windows.some((w) => !(w >= 0 && w <= 86_400))) throw new Error('RINGWATCH_BENCH_COSHARE_WINDOWS: seconds between 0 and 86400, comma-separated');
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-coshare-windows-'));
  try {
    const networks: { window: number; ids: Set<string> }[] = [];
    for (const w of windows) {
      const peer = runPeer(file, path.join(dir, `w${w}`), w);
      if ('error' in peer) {
        rows.push({ suite: SUITE, case: `toolkit at ${w} s`, n: 0, value: 0, unit: 's', note: peer.error });
        continue;
      }
      networks.push({ window: w, ids: new Set(peer.accounts.map((a) => `${SOURCE}:${a}`)) });
      rows.push({ suite: SUITE, case: `toolkit co-link network at ${w} s (weight ≥ ${peer.min_edge_weight})`, n: peer.accounts.length, value: peer.seconds.preprocess + peer.seconds.compute, unit: 's', note: `${peer.accounts.length} accounts, ${peer.edges} edges` });
    }
    const posts = postsInMemory(file);
    for (const w of windows) {
      const t = performance.now();
      const result = detectRings({ posts, accounts: [], options: { graph: { coShareWindowMs: w * 1000 } } });
      const seconds = (performance.now() - t) / 1000;
      const inRing = new Set(result.rings.flatMap((r) => r.members));
      rows.push({ suite: SUITE, case: `ringwatch pipeline, co-share window ${w} s`, n: posts.length, value: seconds, unit: 's', note: `${result.rings.length} rings, ${inRing.size} ring members` });
      const ranked = [...result.accounts].sort((a, b) => b.score - a.score || (a.accountId < b.accountId ? -1 : 1));
      const byId = new Map(ranked.map((a) => [a.accountId, a]));
      for (const { window, ids } of networks) {
        const n = ids.size;
        let surfaced = 0;
        for (const id of ids) {
          const a = byId.get(id);
          if (inRing.has(id) || (a && a.score >= SCORE_THRESHOLD && a.evidencePosts.length > 0)) surfaced++;
        }
        let top = 0;
        for (let k = 0; k < n && k < ranked.length; k++) if (ids.has(ranked[k].accountId)) top++;
        const auc = rocAuc(ranked.map((a) => a.score), ranked.map((a) => (ids.has(a.accountId) ? 1 : 0)));
        const pct = (k: number) => (n > 0 ? (100 * k) / n : 0);
        rows.push({
          suite: SUITE,
          case: `ringwatch ${w} s vs toolkit ${window} s: top n`,
          n,
          value: Math.round(pct(top) * 10) / 10,
          unit: '%',
          note: `surfaced ${pct(surfaced).toFixed(1)} %, ROC AUC ${auc.toFixed(3)}`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
