// Per-key token buckets, in memory: one server process owns the API, so no shared
// state is needed. A bucket holds a minute's allowance and refills continuously.

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until one request is allowed again (0 when allowed). */
  retryAfter: number;
}

const MAX_BUCKETS = 10_000;

export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();
  /** `burst`: tokens a full bucket holds (default: a minute's allowance). */
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly burst: number = perMinute,
  ) {}

  /** What `take` would decide, without taking a token. */
  peek(key: string): RateDecision {
    const t = this.now();
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(this.burst, b.tokens + ((t - b.at) / 60_000) * this.perMinute) : this.burst;
    if (tokens >= 1) return { allowed: true, remaining: Math.floor(tokens), retryAfter: 0 };
    return { allowed: false, remaining: 0, retryAfter: Math.ceil(((1 - tokens) * 60) / this.perMinute) };
  }

  take(key: string): RateDecision {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    this.buckets.set(key, b);
    // Bounded memory under many keys (e.g. addresses): forget buckets that have refilled.
    if (this.buckets.size > MAX_BUCKETS) {
      for (const [k, v] of this.buckets) if (v.tokens + ((t - v.at) / 60_000) * this.perMinute >= this.burst) this.buckets.delete(k);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, remaining: Math.floor(b.tokens), retryAfter: 0 };
    }
    return { allowed: false, remaining: 0, retryAfter: Math.ceil(((1 - b.tokens) * 60) / this.perMinute) };
  }
}
