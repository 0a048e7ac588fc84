// A job is one stage of the pipeline: `(ctx, params) → result`. The same job runs
// from the CLI, the scheduler, a BullMQ worker and the HTTP API (DESIGN.md §1).
import type { TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Config } from '../config/index';
import type { Store } from '../storage/store';

/** Report progress; `total` may be unknown. Cheap to call often. */
export type Progress = (done: number, total?: number, message?: string) => void;

export interface JobContext {
  store: Store;
  config: Config;
  log: Logger;
  progress: Progress;
  /** Aborted when the user presses Ctrl-C or an admin cancels the run. */
  signal: AbortSignal;
  /** runs._id of this run. */
  runId: string;
}

/** What a BullMQ worker offers a job that runs differently there (jobs/distributed/worker.ts). */
export interface WorkerKit {
  /** A platform's crawl as one queued job per crawl unit (jobs/distributed/crawl-unit.ts). */
  crawlUnits(platform: string): { job: Job<{ platform: string }, object>; params: { platform: string } };
}

export interface Job<P = Record<string, unknown>, R = Record<string, unknown>> {
  name: string;
  description: string;
  run(ctx: JobContext, params: P): Promise<R>;
  /**
   * The BullMQ queue that runs it on workers (jobs/distributed/queues.ts derives the queue
   * list from these). A job without a queue stands for the jobs `parts` names (crawl:all).
   */
  queue?: string;
  /** The jobs it is scheduled as on queues, one per queue (crawl:all: one crawl per platform). */
  parts?(): string[];
  /** How a queue worker runs it when not by `run` (a platform crawl fans out into unit jobs). */
  onWorker?(kit: WorkerKit): { job: Job<{ platform: string }, object>; params: { platform: string } };
  /** TypeBox schema of the params (jobs/params.ts); every job the API or a schedule can start has one. */
  params?: TSchema;
  /**
   * Set to the defining module's `import.meta.url` to run the job in a worker thread
   * (jobs/thread.ts): for CPU-bound jobs, so that this thread keeps answering the API,
   * renewing queue locks and writing heartbeats while the job computes.
   */
  thread?: string;
  /** Checks beyond the schema (e.g. confining paths); returns the params to run with. */
  checkParams?(params: P, ctx: { config: Config; confine: boolean }): P;
}
