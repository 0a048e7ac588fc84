// Quick iteration on the account score alone (no rings): `computeAccountScoring` on all of
// yelpnyc (or its first / second half of restaurants), user ROC AUC / AP of the posterior
// and of the account prior, overall and within one-review / multi-review accounts.
//   [OPTS='{"epsAccountReview":0.2}'] npx tsx bench/quality-scoring.ts [all|half1|half2] [--no-graph]
// HELD=1 adds the learned combiner trained on `evaluate --train-fraction 0.05`'s 5 % and
// scored on the other 95 %. half1 / half2: the first / second half of the restaurants (by id), each scored on its own,
// a check that a change is not fitted to the whole set. OPTS: AccountScoreOptions as JSON.
// Not a bench suite: a development probe; `npm run bench -- quality` is the record.
import os from 'node:os';
import Graph from 'graphology';
import { buildAccountGraph } from '../analysis/graph/build';
import type { AccountGraph } from '../analysis/graph/build';
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import { averagePrecision, rocAuc } from '../analysis/metrics';
import { computeAccountScoring } from '../analysis/rings/accounts';
import { buildContext } from '../analysis/rings/context';
import { applyCombiner, combinerRow, hashUnit, trainCombiner } from '../analysis/scoring/combiner';
import { parseLabelsCsv } from '../jobs/labels';
import { datasetPath } from '../test/helpers/datasets';
import { readMaybeGzip } from './speagle';

const part = process.argv[2] ?? 'all';
const noGraph = process.argv.includes('--no-graph');
const reviewsFile = datasetPath('yelpnyc/reviews.csv.gz');
const labelsFile = datasetPath('yelpnyc/labels.csv.gz');
if (!reviewsFile || !labelsFile) throw new Error('../shared/datasets/yelpnyc not found');
const lines = readMaybeGzip(reviewsFile).split(/\r?\n/).filter(Boolean).slice(1);
const productIds = [...new Set(lines.map((l) => l.split(',')[3]))].sort();
const half = new Set(part === 'half1' ? productIds.slice(0, productIds.length >> 1) : part === 'half2' ? productIds.slice(productIds.length >> 1) : productIds);
const posts: DetectPost[] = [];
const accounts = new Map<string, DetectAccount>();
for (const l of lines) {
  const [id, platform, author, product, rating, created] = l.split(',');
  if (!half.has(product)) continue;
  const accountId = `${platform}:${author}`;
  posts.push({ _id: `import:yelpnyc:${id}`, platform: platform as never, accountId, author, product, rating: Number(rating), createdAt: new Date(`${created}T00:00:00Z`) });
  if (!accounts.has(accountId)) accounts.set(accountId, { _id: accountId, platform: platform as never, handle: author });
}
const labelOf = new Map(parseLabelsCsv(readMaybeGzip(labelsFile)).map((l) => [l.account, l.label]));
let t = performance.now();
const built = buildAccountGraph(posts, [...accounts.values()]);
const graph: AccountGraph = noGraph ? (new Graph({ type: 'undirected' }) as AccountGraph) : built.graph;
const ctx = buildContext(built.posts, built.accounts);
const resolutionOf = (i: number) => built.resolutions.get(ctx.posts[i].platform) ?? 1;
console.log(`${part}: ${posts.length} reviews, ${accounts.size} accounts, graph ${built.graph.size} edges, ${((performance.now() - t) / 1000).toFixed(1)} s, load ${os.loadavg()[0].toFixed(1)}`);

t = performance.now();
const s = computeAccountScoring(ctx, graph, new Map(), resolutionOf, process.env.OPTS ? JSON.parse(process.env.OPTS) : {});
const seconds = (performance.now() - t) / 1000;
const rows = ctx.accounts.map((a, i) => ({ i, y: labelOf.get(a._id), n: ctx.postsByAccount.get(a._id)?.length ?? 0 })).filter((r) => r.y !== undefined);
const report = (name: string, score: (i: number) => number) => {
  const cell = (sel: typeof rows) => {
    const sc = sel.map((r) => score(r.i));
    const y = sel.map((r) => r.y as boolean);
    return `${rocAuc(sc, y).toFixed(3)} / ${averagePrecision(sc, y).toFixed(3)}`;
  };
  console.log(`${name.padEnd(12)} all ${cell(rows)}   one-review ${cell(rows.filter((r) => r.n === 1))}   multi ${cell(rows.filter((r) => r.n > 1))}`);
};
report('posterior', (i) => s.logOdds[i]);
report('prior', (i) => s.accountPriors[i]);
report('from reviews', (i) => s.fromReviews[i]);
console.log(`${s.iterations} LBP rounds, ${seconds.toFixed(1)} s`);
if (process.env.HELD) {
  // ringwatch evaluate --train-fraction 0.05's split (evaluateHeldOut), on the account scoring alone.
  const train = new Map<string, boolean>();
  for (const [id, y] of labelOf) if (hashUnit(id, 42) < 0.05) train.set(id, y);
  const test = rows.filter((r) => !train.has(ctx.accounts[r.i]._id));
  const cell = (score: (i: number) => number) => {
    const sc = test.map((r) => score(r.i));
    const y = test.map((r) => r.y as boolean);
    return `${rocAuc(sc, y).toFixed(3)} / ${averagePrecision(sc, y).toFixed(3)}`;
  };
  const learned = (sc: typeof s) => {
    const rowOf = (i: number) => combinerRow(ctx, sc, i, 0);
    const c = trainCombiner(ctx.accounts.flatMap((a, i) => (train.has(a._id) ? [{ id: a._id, x: rowOf(i), y: train.get(a._id) as boolean }] : [])));
    return (i: number) => (c ? applyCombiner(c, rowOf(i)) : 0);
  };
  console.log(`held-out 95 %: unsupervised ${cell((i) => s.logOdds[i])}, combiner ${cell(learned(s))}`);
}
