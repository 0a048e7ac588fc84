// API key documents, cached by id and dropped when the change log names them (a
// revocation, a lastUsedAt stamp), so verifying a key costs no store round trip
// while a revocation by any process still takes effect within the sync lag.
import type { Store } from '../store';
import type { ApiKey } from '../types';
import type { MirroredView } from './sync';

export class KeyView implements MirroredView {
  readonly collection = 'api_keys';
  readonly needsInitialLoad = false;
  private cache = new Map<string, Promise<ApiKey | null>>();

  constructor(private readonly store: Store) {}

  async reload(): Promise<void> {
    this.cache.clear();
  }

  async apply(ids: string[]): Promise<void> {
    for (const id of ids) this.cache.delete(id);
  }

  get(id: string): Promise<ApiKey | null> {
    let doc = this.cache.get(id);
    if (!doc) {
      doc = this.store.apiKeys.get(id);
      this.cache.set(id, doc);
      // A failed read is not remembered; unknown ids (probes) are not either, so the cache stays small.
      doc.then(
        (d) => {
          if (!d) this.cache.delete(id);
        },
        () => this.cache.delete(id),
      );
    }
    return doc;
  }
}
