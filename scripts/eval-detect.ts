// Detection quality on simulator worlds, one JSON line per seed and mode (docs/quality.md,
// "Ring detection" and "Simulator worlds"). Modes: `text` (every platform, with text) and
// `textless` (the review site only, ratings and dates). On text-less worlds the line also
// scores review-site accounts against the world's labels.csv (ring members and solo fakes),
// for ringwatch and, in the same run, for SpEagle (ugfraud, bench/speagle.ts) and 1 / review
// count on the exported reviews-textless.csv.
//   SCALE=small|medium SEEDS=1,2,3 MODES=text,textless (default both; NOTEXT=1 = textless)
//   SPEAGLE=0 (skip the peer) OPTS='{"ringThreshold":0.6}' npx tsx scripts/eval-detect.ts
// (e.g. OPTS='{"refineDepth":0,"merge":null,"attach":{"rounds":0},"weakAttach":null}' for the
// pipeline without the repair steps)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectRings } from '../analysis/rings/detect';
import { evaluateScores } from '../analysis/rings/evaluate';
import { runSpeagle, speagleQuality } from '../bench/speagle';
import { parseLabelsCsv } from '../jobs/labels';
import { labelRows, writeWorldFiles } from '../sim/files';
import { webAccountId } from '../sim/ids';
import { generateWorld } from '../sim/world';
import { measureQuality } from '../test/analysis/rings/quality';
import { worldInput } from '../test/analysis/rings/world-input';

const scale = (process.env.SCALE ?? 'small') as 'small';
const modes = (process.env.MODES ?? (process.env.NOTEXT ? 'textless' : 'text,textless')).split(',');
const r3 = (x: number) => Math.round(x * 1000) / 1000;

for (const seed of (process.env.SEEDS ?? '1,2,3,4').split(',').map(Number)) {
  const world = generateWorld({ seed, scale });
  for (const mode of modes) {
    const text = mode === 'text';
    const input = worldInput(world, { text });
    const t = Date.now();
    const res = detectRings({ ...input, options: JSON.parse(process.env.OPTS ?? '{}') });
    const line: Record<string, unknown> = { seed, scale, text, ms: Date.now() - t, posts: input.posts.length, load: r3(os.loadavg()[0]) };
    for (const [k, v] of Object.entries(measureQuality(world, res))) line[k] = r3(v);
    if (!text) {
      // Review-site accounts against the labels: ringwatch's account scores (unscored = 0).
      const labels = labelRows(world, (n) => webAccountId(world.webDomain, n)).map((l) => ({ account: l.account, label: l.label === 1 }));
      const scores = new Map(res.accounts.map((a) => [a.accountId, a.score]));
      const ours = evaluateScores(scores, labels);
      Object.assign(line, { siteAccounts: ours.labelled, siteFakes: ours.positives, ringwatchSiteAuc: r3(ours.rocAuc), ringwatchSiteAp: r3(ours.averagePrecision) });
      if (process.env.SPEAGLE !== '0') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-eval-'));
        try {
          const files = await writeWorldFiles(world, dir, { textlessReviews: true });
          const run = await runSpeagle(files.reviewsTextless as string);
          const peers = speagleQuality(run, parseLabelsCsv(readFileSync(files.labels, 'utf8')));
          for (const p of peers) {
            const key = p.method.startsWith('1 /') ? 'invReviews' : p.method.includes('prior') ? 'speaglePrior' : 'speagle';
            Object.assign(line, { [`${key}Auc`]: r3(p.report.rocAuc), [`${key}Ap`]: r3(p.report.averagePrecision) });
          }
          line.speagleSeconds = r3(run.wallSeconds);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    console.log(JSON.stringify(line));
  }
}
