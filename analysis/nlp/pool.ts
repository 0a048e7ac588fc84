// Bulk enrichment across cores with node:worker_threads. compromise's tagger is the cost
// (~1,000 short texts/s per core), so a pool of N workers enriches ~N times as fast once
// the batches are large enough to pay for the workers' start-up (~0.5 s each: loading
// compromise and the wink model). Small batches run in this thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Product } from '../../storage/types';
import { createEnricher, type Enricher, type Enrichment } from './enrich';

export interface EnrichItem<Id = string> {
  id: Id;
  text?: string | null;
  title?: string | null;
}

export interface PoolOptions {
  /** Worker threads; 0 or 1 means enrich in this thread. Default: available cores. */
  workers?: number;
  /** Items per message to a worker. */
  chunkSize?: number;
  /** Batches smaller than this are enriched in this thread (not worth a round trip). */
  minParallel?: number;
}

export interface EnrichPool {
  /** Enrich items; results keyed by id (the last item wins for duplicate ids). */
  enrichMany<Id>(items: readonly EnrichItem<Id>[]): Promise<Map<Id, Enrichment>>;
  readonly workers: number;
  close(): Promise<void>;
}

type Reply = { type: 'ready' } | { type: 'result'; id: number; results: Enrichment[] } | { type: 'error'; id: number; error: string };

/** Workers start from a JS entry that registers tsx, then loads worker.ts (see worker-entry.mjs). */
function spawnWorker(): Worker {
  return new Worker(new URL('./worker-entry.mjs', import.meta.url), { execArgv: [] });
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve: (r: Enrichment[]) => void; reject: (e: Error) => void }>;
}

export async function createEnrichPool(catalogue: readonly Product[], opts: PoolOptions = {}): Promise<EnrichPool> {
  const workers = Math.max(0, Math.floor(opts.workers ?? availableParallelism()));
  const chunkSize = opts.chunkSize ?? 250;
  const minParallel = opts.minParallel ?? 400;
  let local: Enricher | null = null;
  const inThread = () => (local ??= createEnricher(catalogue));

  const slots: Slot[] = [];
  let closed = false;
  if (workers > 1) {
    for (let i = 0; i < workers; i++) {
      const worker = spawnWorker();
      const pending: Slot['pending'] = new Map();
      let failAll: (e: Error) => void = () => {};
      const ready = new Promise<void>((resolve, reject) => {
        failAll = (e) => {
          reject(e);
          for (const p of pending.values()) p.reject(e);
          pending.clear();
        };
        worker.on('message', (msg: Reply) => {
          if (msg.type === 'ready') return resolve();
          const p = pending.get(msg.id);
          if (!p) return;
          pending.delete(msg.id);
          if (msg.type === 'result') p.resolve(msg.results);
          else p.reject(new Error(`enrichment worker failed: ${msg.error}`));
        });
      });
      worker.on('error', (e) => failAll(e));
      worker.on('exit', (code) => {
        if (!closed) failAll(new Error(`enrichment worker exited with code ${code}`));
      });
      worker.postMessage({ type: 'init', catalogue });
      ready.catch(() => {}); // surfaced when a batch awaits it
      slots.push({ worker, ready, pending });
    }
  }

  let nextId = 0;
  const run = (slot: Slot, items: EnrichItem<unknown>[]): Promise<Enrichment[]> =>
    slot.ready.then(
      () =>
        new Promise<Enrichment[]>((resolve, reject) => {
          const id = nextId++;
          slot.pending.set(id, { resolve, reject });
          slot.worker.postMessage({ type: 'batch', id, items: items.map((it) => ({ text: it.text, title: it.title })) });
        }),
    );

  return {
    workers: slots.length || 1,
    async enrichMany<Id>(items: readonly EnrichItem<Id>[]) {
      if (closed) throw new Error('enrichment pool is closed');
      const out = new Map<Id, Enrichment>();
      if (slots.length === 0 || items.length < minParallel) {
        const e = inThread();
        for (const it of items) out.set(it.id, e.enrich(it.text, it.title));
        return out;
      }
      const chunks: EnrichItem<Id>[][] = [];
      for (let i = 0; i < items.length; i += chunkSize) chunks.push(items.slice(i, i + chunkSize));
      const results: Enrichment[][] = new Array(chunks.length);
      // Each worker pulls the next chunk when it finishes one: uneven texts balance out.
      let next = 0;
      await Promise.all(
        slots.map(async (slot) => {
          while (next < chunks.length) {
            const c = next++;
            results[c] = await run(slot, chunks[c]);
          }
        }),
      );
      for (const [c, chunk] of chunks.entries()) for (const [j, it] of chunk.entries()) out.set(it.id, results[c][j]);
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** One-shot bulk enrichment: start a pool, enrich, close it. */
export async function enrichMany<Id>(items: readonly EnrichItem<Id>[], catalogue: readonly Product[], opts: PoolOptions = {}): Promise<Map<Id, Enrichment>> {
  const pool = await createEnrichPool(catalogue, opts);
  try {
    return await pool.enrichMany(items);
  } finally {
    await pool.close();
  }
}
