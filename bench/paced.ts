// An open-loop load at an even pace: request i is due at start + i/rate and its
// latency counts from that due time, so a slow server cannot hide queueing by
// delaying the next send (coordinated omission). autocannon's `overallRate` instead
// lets each connection send its per-second share back to back at every second
// boundary: bursts of the whole second's requests, whose queueing dominates its p99.
import { Agent, request } from 'node:http';
import { quantile } from '../analysis/graph/window';

export interface PacedResult {
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers, errors and requests unanswered after the timeout. */
  bad: number;
}

export async function pacedLoad(opts: { url: string; headers: Record<string, string>; path: () => string; rate: number; durationSec: number; timeoutMs?: number }): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const base = new URL(opts.url);
  const total = Math.round(opts.rate * opts.durationSec);
  const latencies: number[] = [];
  let bad = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: base.hostname, port: base.port, path: opts.path(), headers: opts.headers, agent, timeout: opts.timeoutMs ?? 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - due);
            else bad++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        bad++;
        resolve();
      });
      req.end();
    });
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(due));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: latencies.length, reqPerSec: latencies.length / elapsed, p50: sorted.length ? quantile(sorted, 0.5) : 0, p99: sorted.length ? quantile(sorted, 0.99) : 0, max: sorted[sorted.length - 1] ?? 0, bad };
}
