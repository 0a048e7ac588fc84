// The band part of the near-duplicate step (near-duplicate-pairs.ts, signatureHits) on the
// second core: a worker thread gets the banded posts' signatures packed in one Int32Array
// (transferred, not copied twice), their accounts and the options, and answers with the
// verified pairs, while this thread builds the other co-action buckets. Its heap holds a few
// typed arrays, so the pair set's growth costs it no full GC of the posts (in this thread,
// at 961k posts, the growth of those arrays set off mark-compacts of the whole input every
// 1–2 s of the step). The answers are the ones signatureHits gives in this thread; join()
// blocks (Atomics.wait, receiveMessageOnPort) so detection stays a synchronous function.
// Small inputs, and a worker that cannot start or fails, run in this thread.
//
// The bands are shared: the worker takes them from band 0 up; when this thread reaches
// join() with the worker still busy, it takes the upper half of the bands left (one
// compare-and-swap on a shared word: the worker's next band | its end << 8) and goes
// through them itself instead of waiting. mergeBandHits puts the two halves back in band
// order, as one pass would have found them. At 961k posts the worker's bands took longer
// than everything else this thread does before join(), which then waited (20 s at load 7).
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { LSH_BANDS } from '../nlp/minhash';
import { mergeBandHits, type NearDuplicateHits, packSignatures, type SignatureInput, signatureHits } from './near-duplicate-pairs';
import { allBands } from './near-duplicates';
import { PairSet } from './pair-set';
import type { NearDuplicateThread } from './types';


/** Below this many banded posts a worker's start-up (≈ 0.3–1 s: tsx compiles its modules) is not worth it. */
export const WORKER_MIN_POSTS = 50_000;

export interface HitsJob {
  /** The verified pairs (waits for the worker when there is one). */
  join(): NearDuplicateHits;
  /** Whether the answer came from a worker (false: this thread, also after a worker failed). */
  readonly inWorker: boolean;
  /** Why the worker failed, when it did (the answer then comes from this thread). */
  readonly workerError: string | undefined;
}

export function startSignatureHits(input: SignatureInput, where: NearDuplicateThread = 'auto'): HitsJob {
  const { banded, sigs, accOf, accounts, posts, opts } = input;
  const here = () => signatureHits(input);
  if (where === 'this' || (where === 'auto' && banded.length < WORKER_MIN_POSTS)) {
    const hits = here();
    return { join: () => hits, inWorker: false, workerError: undefined };
  }
  // [0]: 0 running, 1 answered, 2 failed; [1]: the worker's bands (bandRange).
  const state = new Int32Array(new SharedArrayBuffer(8));
  state[1] = bandRange(0, LSH_BANDS);
  const { port1, port2 } = new MessageChannel();
  const packed = packSignatures(sigs);
  const data = { state, port: port2, banded: banded.slice(), offsets: packed.offsets, values: packed.values, accOf: accOf.slice(), accounts, posts, opts };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./near-duplicate-worker.mjs', import.meta.url), {
      workerData: data,
      transferList: [port2, ...[data.banded, data.offsets, data.values, data.accOf].map((a) => a.buffer as ArrayBuffer)],
      execArgv: [],
    });
  } catch (e) {
    const hits = here();
    return { join: () => hits, inWorker: false, workerError: String(e) };
  }
  worker.unref();
  let answer: { hits: NearDuplicateHits; inWorker: boolean; error?: string } | undefined;
  return {
    join() {
      if (answer) return answer.hits;
      const upper = Atomics.load(state, 0) === 0 ? takeUpperBands(state) : null;
      const mine = upper ? signatureHits(input, allBands(upper.from, upper.to)) : null;
      while (Atomics.load(state, 0) === 0) Atomics.wait(state, 0, 0, 1000);
      const msg = receiveMessageOnPort(port1)?.message as { hits?: NearDuplicateHits; visited?: { table: Int32Array; count: number }; error?: string } | undefined;
      port1.close();
      void worker.terminate();
      if (msg?.hits && msg.visited) {
        answer = { hits: mine ? mergeBandHits(msg.hits, PairSet.fromStorage(msg.visited), mine) : msg.hits, inWorker: true };
      } else answer = { hits: here(), inWorker: false, error: msg?.error ?? 'no answer' };
      return answer.hits;
    },
    get inWorker() {
      return answer?.inWorker ?? true;
    },
    get workerError() {
      return answer?.error;
    },
  };
}

/** The shared word for bands from … to − 1 (both < 256). */
export function bandRange(from: number, to: number): number {
  return from | (to << 8);
}

/**
 * The next band for the worker from the shared word, or −1 once its range is done: its
 * bands ascending, each taken by a compare-and-swap, so a band is never taken twice.
 */
export function claimBand(state: Int32Array, slot = 1): number {
  for (;;) {
    const word = Atomics.load(state, slot);
    const from = word & 0xff;
    const to = word >>> 8;
    if (from >= to) return -1;
    if (Atomics.compareExchange(state, slot, word, bandRange(from + 1, to)) === word) return from;
  }
}

/** The upper half of the worker's bands not yet taken, for this thread; null when fewer than two are left. */
export function takeUpperBands(state: Int32Array, slot = 1): { from: number; to: number } | null {
  for (;;) {
    const word = Atomics.load(state, slot);
    const from = word & 0xff;
    const to = word >>> 8;
    if (to - from < 2) return null;
    const split = from + Math.floor((to - from) / 2);
    if (Atomics.compareExchange(state, slot, word, bandRange(from, split)) === word) return { from: split, to };
  }
}
