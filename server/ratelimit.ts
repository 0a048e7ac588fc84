// Per-key token buckets, in memory: one server process owns the API, so no shared
// state is needed. A bucket holds a minute's allowance and refills continuously.

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until one request is allowed again (0 when allowed). */
  retryAfter: number;
}

export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, remaining: Math.floor(b.tokens), retryAfter: 0 };
    }
    return { allowed: false, remaining: 0, retryAfter: Math.ceil(((1 - b.tokens) * 60) / this.perMinute) };
  }
}
