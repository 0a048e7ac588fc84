// The pure detection pipeline at ≈1M posts (issue 13.5) without enriching 1M texts: the
// medium world (95k posts) replicated k times as independent worlds. Copy c has its own
// ids, handles, URLs, codes and shared objects, its times shifted past the previous copy
// (more than the co-action window Δ apart), and its MinHash values xor-ed with a copy
// constant (Jaccard within a copy unchanged, no band shared across copies), so the graph is
// k disjoint copies of the medium graph: the cost of the structure at k× the size, without
// k× the texts. `SCALE_COPIES=10 node --expose-gc --import tsx bench/main.ts scale-pipeline`.
import os from 'node:os';
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import { detectRings } from '../analysis/rings/detect';
import { generateWorld, type Scale } from '../sim/world';
import { worldInput } from '../test/analysis/rings/world-input';
import type { BenchRow } from './types';

const DAY = 86_400_000;

export function replicate(posts: readonly DetectPost[], accounts: readonly DetectAccount[], copies: number): { posts: DetectPost[]; accounts: DetectAccount[] } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of posts) {
    lo = Math.min(lo, p.createdAt.getTime());
    hi = Math.max(hi, p.createdAt.getTime());
  }
  const span = hi - lo + 2 * DAY;
  const outPosts: DetectPost[] = [];
  const outAccounts: DetectAccount[] = [];
  for (let c = 0; c < copies; c++) {
    const shift = c * span;
    const id = (s: string) => (c === 0 ? s : `${s}~${c}`);
    const handle = (h: string) => (c === 0 ? h : `${h}_c${c}`);
    const url = (u: string) => (c === 0 ? u : u.replace(/^(https?:\/\/)/, `$1c${c}.`));
    const salt = Math.imul(c, 0x9e3779b1);
    for (const a of accounts) outAccounts.push({ ...a, _id: id(a._id), handle: handle(a.handle), createdAt: a.createdAt && new Date(a.createdAt.getTime() + shift) });
    for (const p of posts) {
      const e = p.enrichment;
      outPosts.push({
        ...p,
        _id: id(p._id),
        accountId: id(p.accountId),
        author: p.author && handle(p.author),
        createdAt: new Date(p.createdAt.getTime() + shift),
        // Exact-text keys (posts without bands) must not meet across copies either.
        text: p.text && c > 0 ? `${p.text} c${c}` : p.text,
        parentId: p.parentId && id(p.parentId),
        replyToAccountId: p.replyToAccountId && id(p.replyToAccountId),
        links: p.links?.map(url),
        objects: p.objects?.map((o) => `${o}~${c}`),
        enrichment: e && {
          ...e,
          urls: e.urls?.map(url),
          codes: e.codes?.map((k) => (c === 0 ? k : `${k}C${c}`)),
          mentions: e.mentions?.map((m) => (c === 0 ? m : `${m}_c${c}`)),
          minhash: e.minhash && (c === 0 ? e.minhash : Int32Array.from(e.minhash as ArrayLike<number>, (v) => v ^ salt)),
        },
      });
    }
  }
  return { posts: outPosts, accounts: outAccounts };
}

export async function benchScalePipeline(): Promise<BenchRow[]> {
  const copies = Number(process.env.SCALE_COPIES ?? 10);
  const scale = (process.env.SCALE as Scale | undefined) ?? 'medium';
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  // The world and its one-copy input go out of scope before measuring: only detect's input stays.
  const { posts, accounts, escalations } = (() => {
    const base = worldInput(generateWorld({ seed: 1, scale }));
    return { ...replicate(base.posts, base.accounts, copies), escalations: base.escalations };
  })();
  const n = posts.length;
  console.error(`scale-pipeline: ${copies} × ${scale} = ${n} posts, ${accounts.length} accounts (load ${os.loadavg()[0].toFixed(1)})`);
  gc?.();
  const heapInput = process.memoryUsage().heapUsed;
  const input = heapInput - baseline;
  // The pipeline is synchronous (no timer can sample it): the process's peak RSS stands for
  // peak memory, the heap after the run (GC) for the live result.
  const t = performance.now();
  const cpu = process.cpuUsage();
  const phases: [string, number][] = [];
  const result = detectRings({ posts, accounts, escalations, onPhase: (phase, phaseMs) => phases.push([phase, phaseMs]) });
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const load = os.loadavg()[0].toFixed(1);
  const note = `${copies} × ${scale} world, ${result.stats.edges} edges, ${result.rings.length} rings (load ${load})`;
  return [
    { suite: 'scale', case: 'pipeline: input heap', n, value: input / n, unit: 'bytes/post', note: 'posts + accounts as detect loads them (after GC)' },
    { suite: 'scale', case: 'pipeline: time', n, value: ms / 1000, unit: 's', note },
    ...phases.map(([phase, phaseMs]) => ({ suite: 'scale', case: `pipeline: ${phase}`, n, value: phaseMs / 1000, unit: 's', note: 'wall time of the stage (detectRings onPhase)' })),
    { suite: 'scale', case: 'pipeline: CPU time', n, value: cpuS, unit: 's', note: 'user + system of this process: what an idle 2-core machine would take, roughly' },
    { suite: 'scale', case: 'pipeline: peak RSS', n, value: process.resourceUsage().maxRSS / 1024, unit: 'MB', note: 'whole process, input included' },
    { suite: 'scale', case: 'pipeline: live heap after', n, value: (heapAfter - heapInput) / n, unit: 'bytes/post', note: 'result retained (graph, rings, scores) beyond the input, after GC' },
    { suite: 'scale', case: 'pipeline: rate', n, value: n / (ms / 1000), unit: 'posts/s', note },
  ];
}
