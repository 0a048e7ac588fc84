// Fault injection for the simulated platforms: the failures a crawler must survive.
// Switchable per run (options) and at runtime (setFaults). Decisions come from a seeded
// stream and per-fault counters, so the same request sequence meets the same faults.
import { Rng } from './rng';

export interface FaultOptions {
  /** Seed of the decision stream (default 1). */
  seed?: number;
  /** Only paths matching this regular expression are affected (default: all API paths). */
  pathPattern?: string;
  /** The first this many matching requests pass unharmed (e.g. 1: page 1 answers, later pages fail), default 0. */
  afterRequests?: number;
  /** Server errors: each request starts a burst with `probability`, or every `everyNth` request does. */
  error5xx?: { probability?: number; everyNth?: number; burst?: number; status?: 500 | 502 | 503 | 504 };
  /** Every request gets 429 for `durationMs` from when the storm is switched on. */
  storm429?: { durationMs: number };
  /** Delay before answering, fixed or a [min, max] range in ms. */
  delayMs?: number | [number, number];
  /** Only paths matching this regular expression are delayed (default: every path; independent of pathPattern). */
  delayPattern?: string;
  /** Destroy the socket without an answer. */
  reset?: { probability?: number; everyNth?: number };
  /** Answer 200 with a broken body: cut in half, or not JSON at all. */
  malformed?: { probability?: number; everyNth?: number; mode?: 'truncate' | 'garbage' };
  /** Shift of the server's clock in ms (affects Date headers, rate windows and reset headers). */
  clockOffsetMs?: number;
}

export type FaultKind = 'none' | '5xx' | '429' | 'reset' | 'malformed';

export interface FaultDecision {
  kind: FaultKind;
  status?: number;
  delayMs: number;
  malformedMode?: 'truncate' | 'garbage';
  /** For 429 storms: server time (ms) when the storm ends. */
  stormUntil?: number;
}

export class FaultInjector {
  private options: FaultOptions = {};
  private rng = new Rng(1);
  private pattern: RegExp | undefined;
  private delayPattern: RegExp | undefined;
  private counters = { error5xx: 0, reset: 0, malformed: 0 };
  private burstLeft = 0;
  private passed = 0;
  private stormUntilReal = 0;
  /** How many of each fault were injected. */
  readonly injected: Record<Exclude<FaultKind, 'none'>, number> & { delayed: number } = { '5xx': 0, '429': 0, reset: 0, malformed: 0, delayed: 0 };

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces the fault settings; a storm starts counting from now. */
  set(options: FaultOptions): void {
    this.options = { ...options };
    this.rng = new Rng(`faults:${options.seed ?? 1}`);
    this.pattern = options.pathPattern ? new RegExp(options.pathPattern) : undefined;
    this.delayPattern = options.delayPattern ? new RegExp(options.delayPattern) : undefined;
    this.counters = { error5xx: 0, reset: 0, malformed: 0 };
    this.burstLeft = 0;
    this.passed = 0;
    this.stormUntilReal = options.storm429 ? Date.now() + options.storm429.durationMs : 0;
  }

  get current(): FaultOptions {
    return { ...this.options };
  }

  /** The server's idea of now, in ms. */
  now(): number {
    return Date.now() + (this.options.clockOffsetMs ?? 0);
  }

  private fires(spec: { probability?: number; everyNth?: number } | undefined, counter: 'error5xx' | 'reset' | 'malformed'): boolean {
    if (!spec) return false;
    this.counters[counter]++;
    if (spec.everyNth && spec.everyNth > 0 && this.counters[counter] % spec.everyNth === 0) return true;
    return spec.probability !== undefined && spec.probability > 0 && this.rng.next() < spec.probability;
  }

  decide(path: string): FaultDecision {
    const o = this.options;
    const delay =
      o.delayMs === undefined || (this.delayPattern && !this.delayPattern.test(path))
        ? 0
        : Array.isArray(o.delayMs)
          ? Math.round(o.delayMs[0] + this.rng.next() * (o.delayMs[1] - o.delayMs[0]))
          : o.delayMs;
    if (delay > 0) this.injected.delayed++;
    if (this.pattern && !this.pattern.test(path)) return { kind: 'none', delayMs: delay };
    if (this.passed < (o.afterRequests ?? 0)) {
      this.passed++;
      return { kind: 'none', delayMs: delay };
    }
    if (this.stormUntilReal > Date.now()) {
      this.injected['429']++;
      return { kind: '429', delayMs: delay, stormUntil: this.stormUntilReal + (o.clockOffsetMs ?? 0) };
    }
    if (this.burstLeft > 0) {
      // Burst requests still count towards "every Nth", so bursts start on a fixed rhythm.
      this.counters.error5xx++;
      this.burstLeft--;
      this.injected['5xx']++;
      return { kind: '5xx', status: o.error5xx?.status ?? 503, delayMs: delay };
    }
    if (this.fires(o.error5xx, 'error5xx')) {
      this.burstLeft = Math.max(0, (o.error5xx?.burst ?? 1) - 1);
      this.injected['5xx']++;
      return { kind: '5xx', status: o.error5xx?.status ?? 503, delayMs: delay };
    }
    if (this.fires(o.reset, 'reset')) {
      this.injected.reset++;
      return { kind: 'reset', delayMs: delay };
    }
    if (this.fires(o.malformed, 'malformed')) {
      this.injected.malformed++;
      return { kind: 'malformed', delayMs: delay, malformedMode: o.malformed?.mode ?? 'truncate' };
    }
    return { kind: 'none', delayMs: delay };
  }
}

/** Breaks a JSON body the way flaky proxies do. */
export function mangleBody(body: string, mode: 'truncate' | 'garbage'): string {
  if (mode === 'garbage') return `<html><body>upstream error</body></html>${body.slice(0, 10)}`;
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
