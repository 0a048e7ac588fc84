// Writes detectRings' whole output on the (replicated) simulator world as canonical JSON,
// so two versions of the pipeline can be compared exactly (rings, candidates, account
// scores, graph edges with reasons and posts, stats): run it on each checkout and diff.
//   SCALE_COPIES=1 node --import tsx bench/pipeline-dump.ts out.json [world-cache.v8]
// The enriched world (≈45 s to build at medium) is cached in the optional second file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { detectRings } from '../analysis/rings/detect';
import { generateWorld, type Scale } from '../sim/world';
import { type WorldInput, worldInput } from '../test/analysis/rings/world-input';
import { replicate } from './scale-pipeline';

const copies = Number(process.env.SCALE_COPIES ?? 1);
const scale = (process.env.SCALE as Scale | undefined) ?? 'medium';
const out = process.argv[2] ?? 'pipeline-dump.json';
const cache = process.argv[3];
const base: WorldInput =
  cache && existsSync(cache) ? deserialize(readFileSync(cache)) : worldInput(generateWorld({ seed: 1, scale }));
if (cache && !existsSync(cache)) writeFileSync(cache, serialize(base));
// Deserialised typed arrays are views into the one cache buffer; own arrays, as the store's reader makes them.
for (const p of base.posts) if (p.enrichment?.minhash) p.enrichment.minhash = Int32Array.from(p.enrichment.minhash as ArrayLike<number>);
const { posts, accounts } = replicate(base.posts, base.accounts, copies);
const t = performance.now();
const result = detectRings({ posts, accounts, escalations: base.escalations });
const ms = performance.now() - t;
const edges: unknown[] = [];
result.graph.forEachEdge((_e, attrs, s, d) => edges.push([s, d, attrs]));
const text = JSON.stringify({ stats: result.stats, rings: result.rings, candidates: result.candidates, accounts: result.accounts, edges }, null, 1);
writeFileSync(out, text);
const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
console.log(`${posts.length} posts: ${(ms / 1000).toFixed(1)} s, ${result.stats.edges} edges, ${result.rings.length} rings, sha ${sha} → ${out}`);
