// A rate gate per credential (and per endpoint where the platform limits per endpoint).
// Every request of a crawler goes through `gate.run()`, which
//  - paces requests evenly over the platform's window from what the response headers say
//    (each platform's `HeaderStyle` lives in its folder, crawlers/platforms/<id>/
//    rate-headers.ts; X's resets are on the server's clock, estimated from the Date header),
//  - never sends when the window is known to be used up,
//  - on 429 waits until the reset plus jitter (the whole gate pauses: no hammering),
//  - retries 5xx, timeouts, connection resets and malformed bodies with bounded exponential
//    backoff, and gives up after N tries with an error that says what happened
//    (`runWithRetries`, the one retry loop for this gate and the shared one).
// Slots are handed out one at a time; requests may overlap when an answer takes longer
// than the pacing interval, and requests in flight count against what is left. `RequestGate` is the seam where a
// BullMQ-backed shared limiter replaces this one for several workers (DESIGN.md §8).
import Bottleneck from 'bottleneck';

/**
 * How a platform's answers tell its rate window. Each platform folder exports its own
 * (crawlers/platforms/<id>/rate-headers.ts); `RETRY_AFTER` is plain HTTP's.
 */
export interface HeaderStyle {
  /** What one answer says about the window, in local clock terms (`clockOffset`: server minus local time). */
  read(h: GateAnswer<unknown>['headers'], receivedAt: number, clockOffset: number): WindowReading;
  /** Resets are given on the server's clock: estimate its offset from the Date header. */
  serverClock?: boolean;
  /** A window starts with its first request: it ends windowMs after the answer that shows limit - 1 left. */
  windowStartsAtFirstRequest?: boolean;
}

export interface GateAnswer<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body; absent for statuses the gate handles itself (429, 5xx). */
  value?: T;
  /** Short text for error messages (status line, error body). */
  detail?: string;
}

/** Thrown by an attempt for failures worth retrying: resets, timeouts, malformed JSON. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'malformed' | 'server',
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** The request failed for good (after retries, or with a status that retrying cannot fix). */
export class CrawlRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CrawlRequestError';
  }
}

export interface GateStats {
  /** Requests sent (every attempt counts). */
  requests: number;
  /** 429 answers. */
  rateLimited: number;
  /** Attempts retried after a transient failure. */
  retries: number;
  /** Requests given up on. */
  failures: number;
  /** Time spent waiting for pacing or resets, ms. */
  waitedMs: number;
}

export interface RequestGate {
  readonly name: string;
  readonly stats: GateStats;
  run<T>(label: string, attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<T>;
}

export interface RateGateOptions {
  name: string;
  style: HeaderStyle;
  /** The platform's window length (Reddit 10 min, X 15 min); headers do not say it. */
  windowMs: number;
  /** Limit per window when the headers do not say it (learned from them otherwise). */
  limit?: number;
  /** Pacing margin: requests are spaced windowMs * (1 + safety) / limit apart. */
  safety?: number;
  /** Retries after a transient failure before giving up. */
  maxRetries: number;
  /** 429 answers waited out before giving up. */
  maxRateLimitWaits?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Extra random wait after a reset, so that many clients do not start at the same instant. */
  jitterMs?: number;
  now?: () => number;
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** One response header, whatever its case and however often it came. */
export function header(h: GateAnswer<unknown>['headers'], name: string): string | undefined {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** What one response says about the window, in local clock terms. */
export interface WindowReading {
  limit?: number;
  remaining?: number;
  /** Earliest and latest local time the window can end. */
  resetLo?: number;
  resetHi?: number;
}

/**
 * Reads the rate headers of one answer. `sentAt`/`receivedAt` bracket the moment the
 * server counted the request; `clockOffset` is server minus local time (serverClock styles).
 */
export function readWindow(style: HeaderStyle, h: GateAnswer<unknown>['headers'], receivedAt: number, clockOffset: number): WindowReading {
  return style.read(h, receivedAt, clockOffset);
}

/** Plain HTTP: Retry-After in seconds or as a date, on a 429 or 503. */
export const RETRY_AFTER: HeaderStyle = {
  read(h, receivedAt) {
    const ra = header(h, 'retry-after');
    if (ra === undefined) return {};
    const secs = Number.parseFloat(ra);
    const at = Number.isFinite(secs) ? receivedAt + secs * 1000 : Date.parse(ra);
    return Number.isFinite(at) ? { remaining: 0, resetLo: at, resetHi: at } : {};
  },
};

export class RateGate implements RequestGate, GateExchange {
  readonly name: string;
  readonly stats: GateStats = { requests: 0, rateLimited: 0, retries: 0, failures: 0, waitedMs: 0 };
  private readonly opts: Required<Omit<RateGateOptions, 'limit'>> & { limit?: number };
  private readonly limiter = new Bottleneck({ maxConcurrent: 1 });
  private limit?: number;
  private windowMs: number;
  private remaining?: number;
  private resetLo = 0;
  private resetHi = 0;
  /** When the current window (X: from its first request) started, as received locally. */
  private windowStartedBy?: number;
  private nextAt = 0;
  private lastSent = 0;
  private inflight = 0;
  private pausedUntil = 0;
  /** Server clock minus local clock, from Date headers (X resets are absolute). */
  private clockOffset = 0;
  private clockSamples = 0;

  constructor(opts: RateGateOptions) {
    this.opts = {
      safety: 0.02,
      maxRateLimitWaits: Math.max(10, opts.maxRetries * 2),
      backoffBaseMs: 250,
      backoffMaxMs: 10_000,
      jitterMs: 50,
      now: Date.now,
      ...opts,
    };
    this.name = opts.name;
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
  }

  /** Current pacing state, for logs and tests. */
  snapshot() {
    return { limit: this.limit, remaining: this.remaining, windowMs: this.windowMs, clockOffset: this.clockOffset, interval: this.interval() };
  }

  private interval(): number {
    return this.limit ? (this.windowMs * (1 + this.opts.safety)) / this.limit : 0;
  }

  /** Waits for this request's slot; called with the limiter held, so slots never overlap. */
  private async slot(signal?: AbortSignal): Promise<void> {
    const now = this.opts.now();
    let at = Math.max(this.nextAt, this.pausedUntil);
    const left = this.remaining === undefined ? undefined : this.remaining - this.inflight;
    if (left !== undefined && left <= 0 && this.resetHi > now) {
      // Used up: only a new window helps.
      at = Math.max(at, this.resetHi + Math.random() * this.opts.jitterMs);
    } else if (left !== undefined && left > 0 && this.resetLo > now) {
      // Someone else sharing the credential may have used part of the window: spread what is left.
      at = Math.max(at, this.lastSent + (this.resetLo - this.lastSent) / left);
    }
    const wait = at - now;
    if (wait > 0) {
      this.stats.waitedMs += wait;
      await sleep(wait, signal);
    }
    const sent = this.opts.now();
    this.lastSent = sent;
    this.nextAt = sent + this.interval();
    if (this.remaining !== undefined && this.resetHi <= sent) {
      // The window we knew about is over.
      this.remaining = this.limit;
      this.windowStartedBy = undefined;
    }
  }

  private observe(answer: GateAnswer<unknown>, sentAt: number, receivedAt: number): void {
    const date = header(answer.headers, 'date');
    if (date && this.opts.style.serverClock) {
      const server = Date.parse(date);
      if (Number.isFinite(server)) {
        // Date has one-second resolution: +500 ms centres the estimate; average the samples.
        const sample = server + 500 - (sentAt + receivedAt) / 2;
        this.clockSamples = Math.min(this.clockSamples + 1, 20);
        this.clockOffset += (sample - this.clockOffset) / this.clockSamples;
      }
    }
    const r = readWindow(this.opts.style, answer.headers, receivedAt, this.clockOffset);
    if (r.limit !== undefined && r.limit > 0) this.limit = r.limit;
    if (r.remaining === undefined) return;
    let lo = r.resetLo ?? receivedAt;
    let hi = r.resetHi ?? receivedAt;
    // Answers can arrive out of order: a higher `remaining` means a new window only if the
    // request was sent after the known window could have ended.
    const newWindow = this.remaining === undefined || lo > this.resetHi || (r.remaining > this.remaining && sentAt >= this.resetLo);
    if (!newWindow && r.remaining > this.remaining!) return;
    if (this.opts.style.windowStartsAtFirstRequest && this.limit !== undefined && r.remaining === this.limit - 1) {
      // X windows start with their first request: the end is this request's time plus the window.
      this.windowStartedBy = receivedAt;
    }
    if (this.windowStartedBy !== undefined && r.remaining < (this.limit ?? Infinity)) {
      hi = Math.min(hi, this.windowStartedBy + this.windowMs);
      lo = Math.min(lo, hi);
    }
    if (!newWindow) {
      // Same window: every reading narrows where its end lies.
      lo = Math.max(lo, this.resetLo);
      hi = Math.min(hi, this.resetHi);
      if (lo > hi) lo = hi;
    }
    this.remaining = r.remaining;
    this.resetLo = lo;
    this.resetHi = hi;
    // A window longer than configured means the configuration is wrong: trust the server.
    if (r.resetLo !== undefined && r.resetLo - receivedAt > this.windowMs) this.windowMs = r.resetLo - receivedAt;
  }

  private pause(answer: GateAnswer<unknown>, receivedAt: number): number {
    const r = readWindow(this.opts.style, answer.headers, receivedAt, this.clockOffset);
    const ra = readWindow(RETRY_AFTER, answer.headers, receivedAt, 0);
    const until = Math.max(r.resetHi ?? 0, ra.resetHi ?? 0, receivedAt + 1000) + Math.random() * this.opts.jitterMs;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.remaining = 0;
    this.resetHi = Math.max(this.resetHi, until);
    this.resetLo = Math.min(this.resetLo, this.resetHi);
    return until - receivedAt;
  }

  run<T>(label: string, attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<T> {
    return runWithRetries(this, this.opts, label, attempt, signal);
  }

  /** One try: waits for the slot, sends, and reads what the answer says about the window. */
  async exchange<T>(attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<Exchange<T>> {
    // Slots are handed out one at a time; the requests themselves may overlap, so a slow
    // answer does not hold up the pacing (in-flight requests count against `remaining`).
    await this.limiter.schedule(() => this.slot(signal));
    const sentAt = this.opts.now();
    this.stats.requests++;
    this.inflight++;
    try {
      const answer = await attempt();
      const receivedAt = this.opts.now();
      if (answer.status === 429) {
        this.stats.rateLimited++;
        return { answer, pausedMs: this.pause(answer, receivedAt) };
      }
      this.observe(answer, sentAt, receivedAt);
      return { answer };
    } finally {
      this.inflight--;
    }
  }
}

/** The outcome of one try through a gate; `pausedMs` is set for a 429 (the credential is paused that long). */
export interface Exchange<T> {
  answer: GateAnswer<T>;
  pausedMs?: number;
}

/** A gate's one try (`RateGate` in process, `SharedGate` through Redis); the retries around it are `runWithRetries`. */
export interface GateExchange {
  readonly name: string;
  readonly stats: GateStats;
  /** Waits for a slot, sends `attempt` and records what its answer says; throws `TransientError` for a failure worth retrying. */
  exchange<T>(attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<Exchange<T>>;
}

export type RetryPolicy = Pick<RateGateOptions, 'maxRetries' | 'maxRateLimitWaits' | 'backoffBaseMs' | 'backoffMaxMs'>;

/**
 * The retry loop of every gate: 2xx returns the value; other 4xx (but 408) fail at once;
 * 5xx, 408 and transient errors are retried with bounded exponential backoff (half fixed,
 * half random) up to `maxRetries`; 429s are waited out (the gate paused itself) up to
 * `maxRateLimitWaits`. Giving up says how many tries failed and the last reason.
 */
export async function runWithRetries<T>(gate: GateExchange, policy: RetryPolicy, label: string, attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<T> {
  const maxWaits = policy.maxRateLimitWaits ?? Math.max(10, policy.maxRetries * 2);
  let failures = 0;
  let waits = 0;
  let last = '';
  for (;;) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    let outcome: Exchange<T> | undefined;
    try {
      outcome = await gate.exchange(attempt, signal);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      last = `${err.kind}: ${err.message}`;
    }
    if (outcome?.pausedMs !== undefined) {
      waits++;
      last = `429 Too Many Requests (waited ${Math.round(outcome.pausedMs)} ms)`;
      if (waits > maxWaits) break;
      continue;
    }
    if (outcome) {
      const { status, value, detail } = outcome.answer;
      if (status >= 200 && status < 300) return value as T;
      if (status < 500 && status !== 408) {
        gate.stats.failures++;
        throw new CrawlRequestError(`${gate.name} ${label}: HTTP ${status}${detail ? `: ${detail}` : ''}`, status);
      }
      last = `HTTP ${status}${detail ? `: ${detail.slice(0, 120)}` : ''}`;
    }
    failures++;
    if (failures > policy.maxRetries) break;
    gate.stats.retries++;
    const backoff = Math.min(policy.backoffMaxMs ?? 10_000, (policy.backoffBaseMs ?? 250) * 2 ** (failures - 1));
    const wait = backoff / 2 + Math.random() * (backoff / 2);
    gate.stats.waitedMs += wait;
    await sleep(wait, signal);
  }
  gate.stats.failures++;
  throw new CrawlRequestError(`${gate.name} ${label}: gave up after ${failures + waits} failed tries; last: ${last}`);
}

/** Makes a source's gates: in-process by default; jobs/distributed shares them through Redis. */
export type GateFactory = (opts: RateGateOptions) => RequestGate;
export const localGates: GateFactory = (opts) => new RateGate(opts);

/** Gates by key, created on first use (one per credential, or per credential and endpoint). */
export class GateSet {
  private gates = new Map<string, RequestGate>();
  constructor(private make: (key: string) => RequestGate) {}
  get(key: string): RequestGate {
    let g = this.gates.get(key);
    if (!g) {
      g = this.make(key);
      this.gates.set(key, g);
    }
    return g;
  }
  all(): RequestGate[] {
    return [...this.gates.values()];
  }
  totals(): GateStats {
    const t: GateStats = { requests: 0, rateLimited: 0, retries: 0, failures: 0, waitedMs: 0 };
    for (const g of this.gates.values()) for (const k of Object.keys(t) as (keyof GateStats)[]) t[k] += g.stats[k];
    return t;
  }
}
