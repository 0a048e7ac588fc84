// A log of every request the simulator answered, so tests and benchmarks can check a
// crawler's behaviour: requests per client and endpoint, 429s, and whether any window
// ever held more requests than the limit.

export type SimPlatform = 'reddit' | 'twitter' | 'web';

export interface RequestRecord {
  /** Real wall-clock time the request arrived (ms). */
  t: number;
  platform: SimPlatform;
  /** Reddit client id, X token id ("app:<key>" or "user:<name>"), web: "-", or "anonymous". */
  client: string;
  /** Route pattern, e.g. "GET /r/{sub}/new". */
  endpoint: string;
  status: number;
  fault?: string;
  userAgent?: string;
}

export interface Counts {
  requests: number;
  ok: number;
  rateLimited: number;
  errors: number;
}

export interface SimStats {
  total: Counts;
  byPlatform: Record<string, Counts>;
  /** Keyed "<platform> <client>". */
  byClient: Record<string, Counts>;
  /** Keyed "<platform> <endpoint>". */
  byEndpoint: Record<string, Counts>;
  log: RequestRecord[];
}

function empty(): Counts {
  return { requests: 0, ok: 0, rateLimited: 0, errors: 0 };
}

function entry(map: Record<string, Counts>, key: string): Counts {
  if (!map[key]) map[key] = empty();
  return map[key];
}

function bump(c: Counts, status: number): void {
  c.requests++;
  if (status === 429) c.rateLimited++;
  else if (status >= 400 || status === 0) c.errors++;
  else c.ok++;
}

export class RequestLog {
  readonly records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  clear(): void {
    this.records.length = 0;
  }

  stats(): SimStats {
    const s: SimStats = { total: empty(), byPlatform: {}, byClient: {}, byEndpoint: {}, log: this.records.slice() };
    for (const r of this.records) {
      bump(s.total, r.status);
      bump(entry(s.byPlatform, r.platform), r.status);
      bump(entry(s.byClient, `${r.platform} ${r.client}`), r.status);
      bump(entry(s.byEndpoint, `${r.platform} ${r.endpoint}`), r.status);
    }
    return s;
  }
}

/**
 * Largest number of records inside any window of `windowMs` (sliding, by arrival time).
 * Use it to check "never more than N requests per window".
 */
export function maxInSlidingWindow(records: RequestRecord[], windowMs: number): number {
  const ts = records.map((r) => r.t).sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < ts.length; hi++) {
    while (ts[hi] - ts[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Records per fixed window aligned to multiples of windowMs (Reddit-style windows). */
export function countsPerFixedWindow(records: RequestRecord[], windowMs: number, offsetMs = 0): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of records) {
    const w = Math.floor((r.t + offsetMs) / windowMs) * windowMs;
    out.set(w, (out.get(w) ?? 0) + 1);
  }
  return out;
}

/**
 * How much of a limit of `limit` requests per `windowMs` a log used, per cycle, free of the
 * aliasing that fixed windows show: under a sliding-window limit used in full, request
 * i + limit leaves exactly one window after request i, so `windowMs / (t[i+limit] - t[i])`
 * (at most 1) is the share of the limit used over the cycle that starts at request i.
 * Counting per fixed window instead sees a burst of `limit` requests that repeats every
 * 1.02 windows as 30, 30, 0, 30 … — a gate that wastes nothing can score 67 %.
 * Returns the cycles' shares in time order (empty when there are at most `limit` records).
 */
export function cycleShares(records: RequestRecord[], limit: number, windowMs: number): number[] {
  const ts = records.map((r) => r.t).sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i + limit < ts.length; i++) out.push(Math.min(1, windowMs / Math.max(1, ts[i + limit] - ts[i])));
  return out;
}
