// Worker-thread side of the enrichment pool: compiles the catalogue once, then enriches
// batches sent by pool.ts. Messages: {type:'init', catalogue} then {type:'batch', id, items}.
import { parentPort } from 'node:worker_threads';
import type { Product } from '../../storage/types';
import { createEnricher, type Enricher } from './enrich';

export interface WorkerItem {
  text?: string | null;
  title?: string | null;
}

let enricher: Enricher | null = null;

parentPort?.on('message', (msg: { type: 'init'; catalogue: Product[] } | { type: 'batch'; id: number; items: WorkerItem[] }) => {
  try {
    if (msg.type === 'init') {
      enricher = createEnricher(msg.catalogue);
      // Warm the taggers so the first batch is not charged for model loading.
      enricher.enrich('Warm-up: the Acme X1 is great, 5 stars.');
      parentPort?.postMessage({ type: 'ready' });
      return;
    }
    if (!enricher) throw new Error('enrichment worker used before init');
    const results = msg.items.map((it) => enricher!.enrich(it.text, it.title));
    parentPort?.postMessage({ type: 'result', id: msg.id, results });
  } catch (err) {
    parentPort?.postMessage({ type: 'error', id: (msg as { id?: number }).id ?? -1, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
