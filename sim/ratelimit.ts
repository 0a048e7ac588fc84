// Rate-limit windows as the two platforms run them.
// Reddit: per OAuth client id, fixed windows aligned to the clock, reset given in seconds.
// X: per token and endpoint, a window that starts with the first request, reset given as an
// epoch second.

export interface LimitSpec {
  limit: number;
  windowMs: number;
}

export interface LimitResult {
  allowed: boolean;
  limit: number;
  used: number;
  remaining: number;
  /** Server time (ms) when the window ends. */
  resetAt: number;
}

export class AlignedWindowLimiter {
  private windows = new Map<string, { start: number; used: number }>();
  constructor(public spec: LimitSpec) {}

  hit(key: string, now: number): LimitResult {
    const { limit, windowMs } = this.spec;
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      this.windows.set(key, w);
    }
    const allowed = w.used < limit;
    if (allowed) w.used++;
    return { allowed, limit, used: w.used, remaining: limit - w.used, resetAt: start + windowMs };
  }

  peek(key: string, now: number): LimitResult {
    const { limit, windowMs } = this.spec;
    const start = Math.floor(now / windowMs) * windowMs;
    const w = this.windows.get(key);
    const used = w && w.start === start ? w.used : 0;
    return { allowed: used < limit, limit, used, remaining: limit - used, resetAt: start + windowMs };
  }
}

export class FirstRequestWindowLimiter {
  private windows = new Map<string, { start: number; used: number }>();
  constructor(private specFor: (endpoint: string) => LimitSpec) {}

  hit(key: string, endpoint: string, now: number): LimitResult {
    const { limit, windowMs } = this.specFor(endpoint);
    const k = `${key} ${endpoint}`;
    let w = this.windows.get(k);
    if (!w || now >= w.start + windowMs) {
      w = { start: now, used: 0 };
      this.windows.set(k, w);
    }
    const allowed = w.used < limit;
    if (allowed) w.used++;
    return { allowed, limit, used: w.used, remaining: limit - w.used, resetAt: w.start + windowMs };
  }
}
