// The near-duplicate step's band part (near-duplicate-pairs.ts signatureHits) in worker
// threads, while this thread builds the other co-action buckets. With several workers the
// candidate pairs are split between them by the pair's first post (postPart): each visits
// every bucket but checks only its part's pairs, and mergePartHits joins their answers into
// exactly what one run gives. One worker per core beyond this thread's, at most two
// (pairWorkers): on this 2-core machine that is one, since a second worker slows this
// thread's own work before it waits more than it shortens the wait (961k posts, one run
// each: one worker 154.5 s, two 158.6 s; 211 against 230 s of CPU). Split by pair, not by
// band: a near-duplicate pair shares most of the 32 bands, so each half of the bands checked
// almost every pair again (10.1 s a half against 15.7 s for all at 3 × medium; visiting the
// buckets alone is 2.7 s). The signatures, the banded posts and their accounts are in shared
// memory, read by every worker, copied once. A worker's heap holds a few typed arrays, so
// the growth of its hits costs no full GC of the posts (in this thread, at 961k posts, the
// growth of such arrays set off mark-compacts of the whole input every 1–2 s of the step).
// join() blocks (Atomics.wait, receiveMessageOnPort) so detection stays a synchronous
// function. Small inputs run in this thread; a worker that cannot start or fails has its
// part run here.
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { mergePartHits, type NearDuplicateHits, packSignatures, type PairPart, type SignatureInput, signatureHits } from './near-duplicate-pairs';
import type { NearDuplicateThread } from './types';

/** Below this many banded posts a worker's start-up (≈ 0.3–1 s: tsx compiles its modules) is not worth it. */
export const WORKER_MIN_POSTS = 50_000;
/** Workers sharing the pairs: one per core beyond this thread's, one to two (the answer does not depend on it). */
export function pairWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores - 1));
}

export interface HitsJob {
  /** The verified pairs (waits for the workers when there are some). */
  join(): NearDuplicateHits;
  /** Whether every part's answer came from a worker (false: this thread, also after a worker failed). */
  readonly inWorker: boolean;
  /** Why a worker failed, when one did (its part then runs in this thread). */
  readonly workerError: string | undefined;
}

const sharedInt32 = (length: number) => new Int32Array(new SharedArrayBuffer(4 * length));
const sharedCopy = (a: Int32Array) => {
  const out = sharedInt32(a.length);
  out.set(a);
  return out;
};

interface Share {
  part: PairPart | undefined;
  state: Int32Array; // 0 running, 1 answered, 2 failed
  port: MessagePort;
  worker?: Worker;
  startError?: string;
}

export function startSignatureHits(input: SignatureInput, where: NearDuplicateThread = 'auto', workers = pairWorkers()): HitsJob {
  const { banded, sigs, accOf, accounts, posts, opts } = input;
  if (where === 'this' || (where === 'auto' && banded.length < WORKER_MIN_POSTS)) {
    const hits = signatureHits(input);
    return { join: () => hits, inWorker: false, workerError: undefined };
  }
  const packed = packSignatures(sigs, sharedInt32);
  const data = { banded: sharedCopy(banded), offsets: packed.offsets, values: packed.values, accOf: sharedCopy(accOf), accounts, posts, opts };
  const shares: Share[] = Array.from({ length: workers }, (_x, index) => {
    // One worker runs the whole step: no part, no bucket numbers, nothing to merge.
    const part = workers > 1 ? { index, of: workers } : undefined;
    const state = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const share: Share = { part, state, port: port1 };
    try {
      share.worker = new Worker(new URL('./near-duplicate-worker.mjs', import.meta.url), {
        workerData: { ...data, part, state, port: port2 },
        transferList: [port2],
        execArgv: [],
      });
      share.worker.unref();
    } catch (e) {
      share.startError = String(e);
    }
    return share;
  });
  let answer: { hits: NearDuplicateHits; inWorker: boolean; error?: string } | undefined;
  const joinShare = (s: Share): { hits: NearDuplicateHits; error?: string } => {
    let error = s.startError;
    if (s.worker) {
      while (Atomics.load(s.state, 0) === 0) Atomics.wait(s.state, 0, 0, 1000);
      const msg = receiveMessageOnPort(s.port)?.message as { hits?: NearDuplicateHits; error?: string } | undefined;
      void s.worker.terminate();
      s.port.close();
      if (msg?.hits) return { hits: msg.hits };
      error = msg?.error ?? 'no answer';
    } else s.port.close();
    return { hits: signatureHits({ ...input, part: s.part }), error };
  };
  return {
    join() {
      if (answer) return answer.hits;
      const parts = shares.map(joinShare);
      const error = parts.find((p) => p.error)?.error;
      const hits = parts.length === 1 ? parts[0].hits : mergePartHits(parts.map((p) => p.hits));
      answer = { hits, inWorker: error === undefined, error };
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
