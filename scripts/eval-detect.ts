// Detection quality on simulator worlds, one JSON line per seed (docs/quality.md, "Ring
// detection"). SCALE=small|medium SEEDS=1,2,3 NOTEXT=1 (text-less reviews only)
// OPTS='{"ringThreshold":0.6}' npx tsx scripts/eval-detect.ts (e.g. OPTS='{"refineDepth":0,"merge":null,
// "attach":{"rounds":0},"weakAttach":null}' for the pipeline without the repair steps)
import { detectRings } from '../analysis/rings/detect';
import { generateWorld } from '../sim/world';
import { measureQuality } from '../test/rings/quality';
import { worldInput } from '../test/rings/world-input';
const scale = (process.env.SCALE ?? 'small') as 'small';
for (const seed of (process.env.SEEDS ?? '1,2,3,4').split(',').map(Number)) {
  const world = generateWorld({ seed, scale });
  for (const text of process.env.NOTEXT ? [false] : [true]) {
    const input = worldInput(world, { text });
    const t = Date.now();
    const res = detectRings({ ...input, options: JSON.parse(process.env.OPTS ?? '{}') });
    const q = measureQuality(world, res);
    console.log(JSON.stringify({ seed, text, ms: Date.now() - t, posts: input.posts.length, ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Math.round(v * 1000) / 1000])) }));
  }
}
