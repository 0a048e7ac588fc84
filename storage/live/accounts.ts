// Every account in memory, for the analyst API: the scored-accounts list (filter,
// sort, keyset pages) and one account by id. On the embedded FerretDB a filtered list
// read and decoded every account document per request (6–10 s at 18.6k accounts);
// here a list is a binary search into a presorted array plus a filtered walk.
// Each account is also kept as its JSON text, so a look-up re-serialises nothing.
import type { Store } from '../store';
import type { Account } from '../types';
import type { Order } from '../keyset';
import type { MirroredView } from './sync';

export const SORT_FIELDS = { score: 'suspicion.score', handle: 'handle', lastSeen: 'lastSeenAt' } as const;
export type SortKey = keyof typeof SORT_FIELDS;

/** The fields a list row shows. */
export type AccountListItem = Pick<Account, '_id' | 'platform' | 'handle' | 'displayName' | 'createdAt' | 'firstSeenAt' | 'lastSeenAt' | 'karma' | 'followers'> & {
  suspicion: { score: number; ringId?: string; detectedAt: Date; runId?: string; top: { name: string; score: number }[] };
};

/** Indicators a list row names as the reason for a score. */
export const TOP_INDICATORS = 3;

interface Entry {
  id: string;
  platform: string;
  handleLower: string;
  /** Only scored accounts are listed. */
  item?: AccountListItem;
  evidence: string[];
  json: string;
}

export interface AccountQuery {
  platform?: string;
  minScore?: number;
  maxScore?: number;
  ring?: string;
  handle?: string;
  /** Only these accounts (e.g. those that posted about a product). */
  ids?: ReadonlySet<string>;
  sort: SortKey;
  order: Order;
  limit: number;
  /** Strictly after this row (a decoded cursor). */
  after?: { value: string | number | Date; id: string };
}

type SortValue = string | number;

function sortValue(item: AccountListItem, key: SortKey): SortValue {
  if (key === 'score') return item.suspicion.score;
  if (key === 'handle') return item.handle;
  return item.lastSeenAt instanceof Date ? item.lastSeenAt.getTime() : 0;
}

function toSortValue(v: string | number | Date): SortValue {
  return v instanceof Date ? v.getTime() : v;
}

/** As the store sorts: by the field in `order`, then `_id` ascending. */
function compare(a: SortValue, aId: string, b: SortValue, bId: string, order: Order): number {
  const byValue = a < b ? -1 : a > b ? 1 : 0;
  const signed = order === 'asc' ? byValue : -byValue;
  return signed || (aId < bId ? -1 : aId > bId ? 1 : 0);
}

/** An account as a list row: undefined when it has no score (unscored accounts are not listed). */
export function listItem(a: Account): AccountListItem | undefined {
  const s = a.suspicion;
  if (!s || typeof s.score !== 'number') return undefined;
  const item: Record<string, unknown> = { _id: a._id, platform: a.platform, handle: a.handle };
  for (const k of ['displayName', 'createdAt', 'firstSeenAt', 'lastSeenAt', 'karma', 'followers'] as const) if (a[k] !== undefined) item[k] = a[k];
  // The strongest indicators say why the score is what it is (ring membership is shown apart).
  const top = [...(s.indicators ?? [])].filter((i) => i.name !== 'ring_membership').sort((x, y) => y.score - x.score).slice(0, TOP_INDICATORS).map((i) => ({ name: i.name, score: i.score }));
  item.suspicion = { score: s.score, ...(s.ringId ? { ringId: s.ringId } : {}), detectedAt: s.detectedAt, ...(s.runId ? { runId: s.runId } : {}), top };
  return item as AccountListItem;
}

export class AccountView implements MirroredView {
  readonly collection = 'accounts';
  readonly needsInitialLoad = true;
  private entries = new Map<string, Entry>();
  private sorted = new Map<string, Entry[]>();
  private runs: { runId: string; accounts: number }[] | undefined;

  constructor(private readonly store: Store) {}

  async reload(): Promise<void> {
    const entries = new Map<string, Entry>();
    // Scores live in the latest detect run's collection (storage/scores.ts), joined here once.
    const scores = new Map<string, Account['suspicion']>();
    for await (const s of this.store.scores.stream()) scores.set(s.accountId, s.suspicion);
    for await (const a of this.store.accounts.stream({})) {
      const s = scores.get(a._id);
      entries.set(a._id, this.entryOf(s ? { ...a, suspicion: s } : a));
    }
    this.entries = entries;
    this.sorted.clear();
    this.runs = undefined;
  }

  async apply(ids: string[]): Promise<void> {
    const docs = await this.store.scores.attach(await this.store.accounts.getMany(ids));
    const found = new Set<string>();
    for (const a of docs) {
      found.add(a._id);
      this.entries.set(a._id, this.entryOf(a));
    }
    for (const id of ids) if (!found.has(id)) this.entries.delete(id);
    this.sorted.clear();
    this.runs = undefined;
  }

  /** What an account page needs besides the document, without parsing its JSON. */
  facts(id: string): { json: string; ringId?: string; evidence: string[] } | undefined {
    const e = this.entries.get(id);
    return e && { json: e.json, ringId: e.item?.suspicion.ringId, evidence: e.evidence };
  }

  /** One page of scored accounts and whether more follow. */
  list(q: AccountQuery): { items: AccountListItem[]; more: boolean } {
    const rows = this.sortedBy(q.sort, q.order);
    let start = 0;
    if (q.after) {
      const v = toSortValue(q.after.value);
      const id = q.after.id;
      // First row strictly after the cursor.
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const r = rows[mid];
        if (compare(sortValue(r.item as AccountListItem, q.sort), r.id, v, id, q.order) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const handle = q.handle?.toLowerCase();
    const items: AccountListItem[] = [];
    for (let i = start; i < rows.length; i++) {
      const e = rows[i];
      const item = e.item as AccountListItem;
      const score = item.suspicion.score;
      if (q.platform && e.platform !== q.platform) continue;
      if (q.minScore !== undefined && score < q.minScore) continue;
      if (q.maxScore !== undefined && score > q.maxScore) continue;
      if (q.ring && item.suspicion.ringId !== q.ring) continue;
      if (handle && !e.handleLower.includes(handle)) continue;
      if (q.ids && !q.ids.has(e.id)) continue;
      if (items.length === q.limit) return { items, more: true };
      items.push(item);
    }
    return { items, more: false };
  }

  /** How many scored accounts each detect run's scores cover (several runs: a list mixes them). */
  scoreRuns(): { runId: string; accounts: number }[] {
    if (!this.runs) {
      const counts = new Map<string, number>();
      for (const e of this.entries.values()) {
        const id = e.item?.suspicion.runId;
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      this.runs = [...counts].map(([runId, accounts]) => ({ runId, accounts })).sort((x, y) => y.accounts - x.accounts || (x.runId < y.runId ? -1 : 1));
    }
    return this.runs;
  }

  private sortedBy(key: SortKey, order: Order): Entry[] {
    const k = `${key}:${order}`;
    let rows = this.sorted.get(k);
    if (!rows) {
      const keyed = [...this.entries.values()].filter((e) => e.item).map((e) => ({ e, v: sortValue(e.item as AccountListItem, key) }));
      keyed.sort((a, b) => compare(a.v, a.e.id, b.v, b.e.id, order));
      rows = keyed.map((x) => x.e);
      this.sorted.set(k, rows);
    }
    return rows;
  }

  private entryOf(a: Account): Entry {
    return { id: a._id, platform: a.platform, handleLower: (a.handle ?? '').toLowerCase(), item: listItem(a), evidence: a.suspicion?.evidencePosts ?? [], json: JSON.stringify(a) };
  }
}
