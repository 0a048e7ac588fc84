// The band part of the near-duplicate step (near-duplicate-pairs.ts, signatureHits) on the
// second core: a worker thread gets the banded posts' signatures packed in one Int32Array
// (transferred, not copied twice), their accounts and the options, and answers with the
// verified pairs, while this thread builds the other co-action buckets. Its heap holds a few
// typed arrays, so the pair set's growth costs it no full GC of the posts (in this thread,
// at 961k posts, the growth of those arrays set off mark-compacts of the whole input every
// 1–2 s of the step). The answers are the ones signatureHits gives in this thread; join()
// blocks (Atomics.wait, receiveMessageOnPort) so detection stays a synchronous function.
// Small inputs, and a worker that cannot start or fails, run in this thread.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type NearDuplicateHits, packSignatures, type SignatureInput, signatureHits } from './near-duplicate-pairs';
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
  const state = new Int32Array(new SharedArrayBuffer(4)); // 0 running, 1 answered, 2 failed
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
      while (Atomics.load(state, 0) === 0) Atomics.wait(state, 0, 0, 1000);
      const msg = receiveMessageOnPort(port1)?.message as { hits?: NearDuplicateHits; error?: string } | undefined;
      port1.close();
      void worker.terminate();
      answer = msg?.hits ? { hits: msg.hits, inWorker: true } : { hits: here(), inWorker: false, error: msg?.error ?? 'no answer' };
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
