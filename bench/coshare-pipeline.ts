// The coshare bench's "detection pipeline alone" row, run in a child process of its own
// (bench/coshare.ts): the in-memory posts and the pipeline's data are a few GB of heap, and
// measured in the bench's own process they slowed the import and detect rows measured after
// them by their garbage collection (german-elections-2021: import 8.5 s alone, 11.3 s after
// the pipeline, load 7), which a `ringwatch import` in a fresh process never pays.
// Usage: node --import tsx bench/coshare-pipeline.ts FILE  →  one JSON line {posts, seconds, rings, edges}.
import { detectRings } from '../analysis/rings/detect';
import { postsInMemory } from './coshare';

const file = process.argv[2];
if (!file) throw new Error('usage: bench/coshare-pipeline.ts FILE');
const posts = postsInMemory(file);
const t = performance.now();
const res = detectRings({ posts, accounts: [] });
console.log(JSON.stringify({ posts: posts.length, seconds: (performance.now() - t) / 1000, rings: res.stats.rings, edges: res.stats.edges }));
