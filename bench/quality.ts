// `npm run bench -- quality`: account-score quality on real labelled reviews (yelpnyc, read
// from ../shared/datasets, never copied), every method in the same run on the same labels:
//   - ringwatch unsupervised (analysis/rings/detect on all reviews, in memory);
//   - ringwatch learning from 5 % of the labels, scored on the other 95 % only
//     (evaluateHeldOut, the same as `ringwatch evaluate --train-fraction 0.05`);
//   - SpEagle from PyPI ugfraud (bench/peers/speagle.py), its prior alone, 1 / review count.
// BENCH_QUALITY_ROWS=N takes the first N reviews (a product-ordered sample, scored on itself);
// BENCH_QUALITY_SPEAGLE=0 leaves the (slow, ~30 min at load 20) peer out.
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import { detectRings } from '../analysis/rings/detect';
import { evaluateHeldOut, evaluateScores } from '../analysis/rings/evaluate';
import { parseLabelsCsv } from '../jobs/labels';
import { datasetPath } from '../test/helpers/datasets';
import { readMaybeGzip, runSpeagle, speagleQuality } from './speagle';
import type { BenchRow } from './types';

export async function benchQuality(): Promise<BenchRow[]> {
  const reviews = datasetPath('yelpnyc/reviews.csv.gz');
  const labelsFile = datasetPath('yelpnyc/labels.csv.gz');
  if (!reviews || !labelsFile) throw new Error('quality: ../shared/datasets/yelpnyc not found');
  const limit = Number(process.env.BENCH_QUALITY_ROWS ?? 0);
  const lines = readMaybeGzip(reviews).split(/\r?\n/).filter(Boolean);
  const rows = limit > 0 ? lines.slice(1, limit + 1) : lines.slice(1);
  const posts: DetectPost[] = [];
  const accounts = new Map<string, DetectAccount>();
  for (const l of rows) {
    const [id, platform, author, product, rating, created] = l.split(',');
    const accountId = `${platform}:${author}`;
    posts.push({ _id: `import:yelpnyc:${id}`, platform: platform as never, accountId, author, product, rating: Number(rating), createdAt: new Date(`${created}T00:00:00Z`) });
    if (!accounts.has(accountId)) accounts.set(accountId, { _id: accountId, platform: platform as never, handle: author });
  }
  const labels = parseLabelsCsv(readMaybeGzip(labelsFile)).filter((l) => accounts.has(l.account));
  const out: BenchRow[] = [];
  const note = (extra: string) => `${extra}; ${labels.length} labelled accounts, ${posts.length} reviews, load ${os.loadavg()[0].toFixed(1)}`;
  const add = (method: string, r: { rocAuc: number; averagePrecision: number }, seconds: number, extra = '') => {
    out.push({ suite: 'quality', case: `${method}: user ROC AUC`, n: labels.length, value: r.rocAuc, unit: 'AUC', note: note(extra) });
    out.push({ suite: 'quality', case: `${method}: user AP`, n: labels.length, value: r.averagePrecision, unit: 'AP', note: `${seconds.toFixed(1)} s` });
  };

  let t = performance.now();
  const plain = detectRings({ posts, accounts: [...accounts.values()] });
  const plainSeconds = (performance.now() - t) / 1000;
  add('ringwatch unsupervised', evaluateScores(new Map(plain.accounts.map((a) => [a.accountId, a.score])), labels), plainSeconds, `${plain.stats.rings} rings`);

  t = performance.now();
  const held = evaluateHeldOut((train) => detectRings({ posts, accounts: [...accounts.values()], labels: train }), labels, 0.05, 42);
  add('ringwatch, 5 % labels (on the other 95 %)', held, (performance.now() - t) / 1000, `trained on ${held.trainLabelled}; unsupervised on the same 95 %: ${held.unsupervised.rocAuc.toFixed(3)}`);

  const count = new Map<string, number>();
  for (const p of posts) count.set(p.accountId, (count.get(p.accountId) ?? 0) + 1);
  add('1 / review count', evaluateScores(new Map([...count].map(([a, n]) => [a, 1 / n])), labels), 0);

  if (process.env.BENCH_QUALITY_SPEAGLE !== '0') {
    let file = reviews;
    if (limit > 0) {
      file = path.join(os.tmpdir(), `ringwatch-quality-${process.pid}.csv`);
      writeFileSync(file, `${lines[0]}\n${rows.join('\n')}\n`);
    }
    const run = await runSpeagle(file, { timeoutMs: 90 * 60_000 });
    for (const q of speagleQuality(run, labels)) if (q.method !== '1 / review count') add(q.method, q.report, run.wallSeconds);
  }
  return out;
}
