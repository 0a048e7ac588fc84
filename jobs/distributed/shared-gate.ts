// A rate gate shared by every process that uses one credential, kept in Redis.
// It is the `RequestGate` seam of crawlers/rate-gate.ts for several workers: before
// each HTTP request a process takes a slot from a sliding-window log (one sorted set per
// credential, timestamps from Redis's own clock so process clocks do not matter). At most
// `limit` requests are admitted in any window of `windowMs * (1 + safety)`, whichever
// process sends them; the margin absorbs the network delay between admission and the
// platform counting the request. The limit is learned from the platform's rate headers
// (Reddit: used + remaining, X: x-rate-limit-limit) and shared through Redis too.
//
// A 429 (someone else used the credential, or the platform's window differs from ours)
// pauses the credential for every process until the reset the headers give, and is
// thrown as `RateLimited` so that a BullMQ worker can rate-limit its whole queue
// (`worker.rateLimit(ms)` + `Worker.RateLimitError()`): the job goes back to waiting
// without spending an attempt and resumes from its saved cursor.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type Exchange,
  type GateAnswer,
  type GateExchange,
  type GateFactory,
  type GateStats,
  type HeaderStyle,
  type RateGateOptions,
  readWindow,
  type RequestGate,
  RETRY_AFTER,
  runWithRetries,
  sleep,
} from '../../crawlers/rate-gate';

/** The credential is rate-limited for `waitMs` more (from the 429's reset headers). */
export class RateLimited extends Error {
  constructor(
    readonly gate: string,
    readonly waitMs: number,
  ) {
    super(`${gate}: 429 Too Many Requests, window resets in ${Math.round(waitMs)} ms`);
    this.name = 'RateLimited';
  }
}

export interface SharedGateOptions extends RateGateOptions {
  redis: Redis;
  /** Key prefix, e.g. "ringwatch" (the BullMQ prefix). */
  prefix: string;
  /**
   * On a 429: throw RateLimited (a queue worker re-queues the job) or wait it out here
   * like the in-process gate (default: throw).
   */
  on429?: 'throw' | 'wait';
  /** Longest single sleep while waiting for a slot (keeps cancellation prompt). */
  maxSleepMs?: number;
  /** Smallest margin added to the window, ms (default 20). */
  minMarginMs?: number;
  /** Longest a request can take (its slot is held that long if the sender dies mid-request). */
  requestTimeoutMs?: number;
}

// KEYS: 1 log (zset), 2 meta (hash: limit, pauseUntil)
// ARGV: 1 windowMs (with margin), 2 fallback limit (0 = unknown), 3 member, 4 hold ms
// Returns {waitMs, limitKnown}: waitMs 0 means admitted. An admitted request is logged as
// in flight (score now + hold) until DONE moves it to the time its answer came back: the
// platform counted it at some moment before that, so the slot is reused only a full
// window after that moment, however long the request or the sender's event loop took.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local pause = tonumber(redis.call('HGET', KEYS[2], 'pauseUntil') or '0')
if pause > now then return {pause - now, 1} end
local limit = tonumber(redis.call('HGET', KEYS[2], 'limit') or ARGV[2])
local known = 1
if limit == nil or limit <= 0 then limit = 1; known = 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2 + tonumber(ARGV[4]))
  return {0, known}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
if oldest > now then return {20, known} end
return {math.max(1, oldest + window - now + 1), known}
`;

// KEYS: 1 log. ARGV: 1 member. The answer is back: the slot counts from now.
const DONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return now
`;

// KEYS: 1 meta. ARGV: 1 ms from now. Extends the pause, never shortens it.
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilAt = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pauseUntil') or '0')
if untilAt > cur then redis.call('HSET', KEYS[1], 'pauseUntil', untilAt) end
return untilAt
`;

export class SharedGate implements RequestGate, GateExchange {
  readonly name: string;
  readonly stats: GateStats = { requests: 0, rateLimited: 0, retries: 0, failures: 0, waitedMs: 0 };
  private readonly keys: [string, string];
  private readonly window: number;
  private readonly style: HeaderStyle;
  private knownLimit?: number;
  /** How long an unanswered request holds its slot (a sender that died mid-request). */
  private readonly holdMs: number;

  constructor(private readonly opts: SharedGateOptions) {
    this.name = opts.name;
    this.style = opts.style;
    // The credential's name, not its secret: sources name gates by client id or a hash of the token.
    const base = `${opts.prefix}:gate:${opts.name.replace(/\s+/g, '_')}`;
    this.keys = [`${base}:log`, `${base}:meta`];
    // Slots count from the answer (see TAKE), so delays need no margin; this one covers
    // clock-rate differences between Redis's host and the platform: 2%, at least 20 ms.
    this.window = Math.ceil(opts.windowMs + Math.max(opts.windowMs * (opts.safety ?? 0.02), opts.minMarginMs ?? 20));
    this.knownLimit = opts.limit;
    this.holdMs = (opts.requestTimeoutMs ?? 30_000) + 1000;
  }

  /** Waits for a slot in the shared window; returns the slot to pass to `done`. */
  async take(signal?: AbortSignal): Promise<string> {
    const maxSleep = this.opts.maxSleepMs ?? 1000;
    const member = `${Date.now()}:${randomUUID()}`;
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const [wait, known] = (await this.opts.redis.eval(TAKE, 2, ...this.keys, this.window, this.knownLimit ?? 0, member, this.holdMs)) as [number, number];
      if (wait <= 0) return member;
      // Until the first answer tells the limit, one request at a time: poll soon.
      const ms = Math.min(known ? wait : 25, maxSleep);
      this.stats.waitedMs += ms;
      await sleep(ms, signal);
    }
  }

  /** The request of `slot` is answered (or failed): its window starts now. */
  async done(slot: string): Promise<void> {
    await this.opts.redis.eval(DONE, 1, this.keys[0], slot);
  }

  /** Pauses the credential for every process for `ms`. */
  async pause(ms: number): Promise<void> {
    await this.opts.redis.eval(PAUSE, 1, this.keys[1], Math.ceil(ms));
  }

  private async learn(answer: GateAnswer<unknown>, receivedAt: number): Promise<void> {
    const r = readWindow(this.style, answer.headers, receivedAt, 0);
    if (r.limit !== undefined && r.limit > 0 && r.limit !== this.knownLimit) {
      this.knownLimit = r.limit;
      await this.opts.redis.hset(this.keys[1], 'limit', r.limit);
    }
    // remaining 0 needs nothing here: our own use is held back by the log, and someone
    // else's shows as a 429, which pauses every process until the reset.
  }

  private resetWait(answer: GateAnswer<unknown>, receivedAt: number): number {
    const r = readWindow(this.style, answer.headers, receivedAt, 0);
    const ra = readWindow(RETRY_AFTER, answer.headers, receivedAt, 0);
    const at = Math.max(r.resetHi ?? 0, ra.resetHi ?? 0, receivedAt + 1000);
    return at - receivedAt + Math.random() * (this.opts.jitterMs ?? 50);
  }

  run<T>(label: string, attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<T> {
    return runWithRetries(this, this.opts, label, attempt, signal);
  }

  /** One try: a slot from the shared window, the request, and what its answer says. */
  async exchange<T>(attempt: () => Promise<GateAnswer<T>>, signal?: AbortSignal): Promise<Exchange<T>> {
    const slot = await this.take(signal);
    this.stats.requests++;
    let answer: GateAnswer<T>;
    try {
      answer = await attempt();
    } finally {
      await this.done(slot);
    }
    const receivedAt = Date.now();
    if (answer.status === 429) {
      this.stats.rateLimited++;
      const wait = this.resetWait(answer, receivedAt);
      await this.pause(wait);
      if (this.opts.on429 !== 'wait') throw new RateLimited(this.name, wait);
      return { answer, pausedMs: wait };
    }
    await this.learn(answer, receivedAt);
    return { answer };
  }
}

/** Gates for a source that share its credential's limits through Redis (instead of `new RateGate`). */
export function sharedGateFactory(redis: Redis, prefix: string, extra: Partial<Pick<SharedGateOptions, 'on429' | 'safety'>> = {}): GateFactory {
  return (opts) => new SharedGate({ ...opts, ...extra, redis, prefix });
}
