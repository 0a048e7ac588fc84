// The latest account scores as plain arrays, for assertions.
import type { Store } from '../../storage/store';
import type { AccountSuspicion } from '../../storage/types';

/** Every latest score without indicators (store.scores.summaries as an array). */
export async function summaries(store: Store) {
  const out = [];
  for await (const s of store.scores.summaries()) out.push(s);
  return out;
}

/** Every latest score as `{ _id, suspicion }`, the shape the export helpers take. */
export async function scoredAccounts(store: Store): Promise<{ _id: string; suspicion: AccountSuspicion }[]> {
  const out = [];
  for await (const s of store.scores.stream()) out.push({ _id: s.accountId, suspicion: s.suspicion });
  return out;
}
