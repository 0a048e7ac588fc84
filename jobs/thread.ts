// Runs a job in a worker thread (a job with `thread` set; jobs/runner.ts decides). The
// detect pipeline is one synchronous computation of seconds to minutes; on the thread that
// runs it nothing else happens meanwhile: the API a detect was started from stops answering,
// a queue worker cannot renew its job's lock (BullMQ then hands the job out again), run
// heartbeats stop and Ctrl-C waits. In a thread of its own, with its own connection to the
// same store, the job leaves this thread free; only small messages cross: the params and
// the config out, progress, log lines and the result (the job's stats) back.
import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadStart } from './thread-worker';
import type { Job, JobContext } from './types';

/** How long a cancelled job may take to stop by itself before its thread is ended. */
const ABORT_GRACE_MS = 10_000;
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function runInThread<P extends object, R extends object>(job: Job<P, R>, ctx: JobContext, params: P): Promise<R> {
  if (!job.thread) throw new Error(`job ${job.name} has no thread module`);
  const module = job.thread;
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), { execArgv: [] });
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      ctx.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' });
      // A job checks its signal between stages; one stuck inside a long stage is ended.
      grace = setTimeout(() => settle(() => reject(new Error(`${job.name} cancelled`))), ABORT_GRACE_MS);
      grace.unref();
    };
    worker.on('message', (msg: ThreadReply) => {
      if (msg.type === 'progress') ctx.progress(msg.done, msg.total, msg.message);
      else if (msg.type === 'log') relayLog(ctx, msg.line);
      else if (msg.type === 'done') settle(() => resolve(msg.result as R));
      else {
        const err = new Error(msg.message);
        if (msg.stack) err.stack = msg.stack;
        settle(() => reject(err));
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the ${job.name} thread ended (exit code ${code}) before its job finished`))));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    const start: ThreadStart = {
      type: 'start', module, job: job.name, params: params as Record<string, unknown>, runId: ctx.runId,
      config: ctx.config, connection: ctx.store.connection(), logLevel: ctx.log.level,
    };
    worker.postMessage(start);
  });
}

/** A pino line from the thread, logged here with this context's bindings (job, runId). */
function relayLog(ctx: JobContext, line: string): void {
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = JSON.parse(line) as Record<string, unknown>;
    ctx.log[LEVELS[level as number] ?? 'info'](fields, String(msg ?? ''));
  } catch {
    ctx.log.info(line.trim());
  }
}
