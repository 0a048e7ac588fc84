// The worker-thread side of jobs/thread.ts: opens the same store, runs the job with a
// context whose log, progress and cancellation cross to the main thread, and answers with
// the job's result (a small stats object) or its error.
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import type { Config } from '../config/index';
import { openStore } from '../storage/store';
import type { Job } from './types';

export interface ThreadStart {
  type: 'start';
  module: string;
  job: string;
  params: Record<string, unknown>;
  runId: string;
  config: Config;
  connection: { uri: string; database: string };
  logLevel: string;
}

export type ThreadReply =
  | { type: 'progress'; done: number; total?: number; message?: string }
  | { type: 'log'; line: string }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'error'; message: string; stack?: string };

const port = parentPort;
if (!port) throw new Error('jobs/thread-worker.ts runs only as a worker thread (jobs/thread.ts starts it)');
const send = (m: ThreadReply) => port.postMessage(m);
const abort = new AbortController();

port.on('message', (msg: ThreadStart | { type: 'abort' }) => {
  if (msg.type === 'abort') abort.abort();
  else void run(msg);
});

async function run(start: ThreadStart): Promise<void> {
  // Log lines go to the main thread's logger, which formats them as it formats its own.
  const log = pino({ level: start.logLevel }, { write: (line: string) => send({ type: 'log', line }) });
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  let reply: ThreadReply;
  try {
    const mod = (await import(start.module)) as Record<string, unknown>;
    const job = Object.values(mod).find((v): v is Job => typeof v === 'object' && v !== null && (v as Job).name === start.job && typeof (v as Job).run === 'function');
    if (!job) throw new Error(`${start.module} exports no job named ${start.job}`);
    store = await openStore(start.config, start.connection);
    const progress = (done: number, total?: number, message?: string) => send({ type: 'progress', done, total, message });
    const result = (await job.run({ store, config: start.config, log, progress, signal: abort.signal, runId: start.runId }, start.params)) as Record<string, unknown>;
    reply = { type: 'done', result };
  } catch (err) {
    reply = { type: 'error', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
  }
  // The answer after the connection is closed: the main thread ends this thread on it.
  await store?.close().catch(() => {});
  send(reply);
}
