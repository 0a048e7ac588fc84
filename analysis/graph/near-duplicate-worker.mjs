// Worker thread of near-duplicate-thread.ts: registers tsx in this thread (loader hooks are
// per thread on Node 20, as in analysis/nlp/worker-entry.mjs), runs signatureHits over its
// part of the pairs of the (shared) signatures and answers on its port, then flags the shared state so the
// waiting thread wakes. Every way out answers, an error included, so the waiter never hangs.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const { state, port } = workerData;
let answered = false;
const answer = (message, code, transfer = []) => {
  if (answered) return;
  answered = true;
  port.postMessage(message, transfer);
  Atomics.store(state, 0, code);
  Atomics.notify(state, 0);
};
process.on('exit', () => answer({ error: 'the worker exited without an answer' }, 2));
try {
  register();
  const { signatureHits, unpackSignatures } = await import('./near-duplicate-pairs.ts');
  const { transferable } = await import('../columns.ts');
  const { banded, offsets, values, accOf, accounts, posts, opts, part } = workerData;
  const hits = signatureHits({ banded, sigs: unpackSignatures({ offsets, values }), accOf, accounts, posts, opts, part });
  // Hits in shared columns (analysis/columns.ts) pass without a copy; only plain buffers are moved.
  answer({ hits }, 1, transferable([hits.px, hits.py, hits.simD, ...(hits.bucket ? [hits.bucket] : [])]));
} catch (e) {
  answer({ error: String(e?.stack ?? e) }, 2);
}
