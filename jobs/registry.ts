// Job names → jobs, for schedules (config.schedules[].job), workers and the API.
// A plain map: add an entry per job; `crawl:<id>` comes from each registered platform.
import { platformIds } from '../crawlers/platforms/registry';
import { weeklyReportJob } from './report';
import { crawlJobFor } from './crawl';
import { detectJob } from './detect';
import { enrichJob } from './enrich';
import { kpiJob } from './kpi';
import { modelScoreJob, modelTrainJob } from './model';
import type { Job } from './types';

// biome-ignore lint/suspicious/noExplicitAny: jobs take different params; each declares its schema.
export type AnyJob = Job<any, any>;

const STAGES: Record<string, AnyJob> = {
  enrich: enrichJob,
  detect: detectJob,
  'model:train': modelTrainJob,
  'model:score': modelScoreJob,
  kpi: kpiJob,
  'report:weekly': weeklyReportJob,
};

/**
 * Every job here can be started by the API or a schedule, so each declares its params
 * schema (tested). A function: the crawl jobs are those of the platforms registered now.
 */
export function jobRegistry(): Record<string, AnyJob> {
  const crawls = [...platformIds(), 'all'].map((p) => [`crawl:${p}`, crawlJobFor(p)] as const);
  return { ...Object.fromEntries(crawls), ...STAGES };
}

export function findJob(name: string): AnyJob {
  const registry = jobRegistry();
  const job = registry[name];
  if (!job) throw new Error(`unknown job "${name}" (known: ${Object.keys(registry).sort().join(', ')})`);
  return job;
}
