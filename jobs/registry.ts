// Job names → jobs, for schedules (config.schedules[].job), workers and the API.
// A plain map: add an entry per job.
import { weeklyReportJob } from './report';
import { crawlJobFor } from './crawl';
import { detectJob } from './detect';
import { enrichJob } from './enrich';
import { kpiJob } from './kpi';
import { modelScoreJob, modelTrainJob } from './model';
import type { Job } from './types';

// biome-ignore lint/suspicious/noExplicitAny: jobs take different params; each declares its schema.
export type AnyJob = Job<any, any>;

/** Every job here can be started by the API or a schedule, so each declares its params schema (tested). */
export const jobRegistry: Record<string, AnyJob> = {
  'crawl:reddit': crawlJobFor('reddit'),
  'crawl:twitter': crawlJobFor('twitter'),
  'crawl:web': crawlJobFor('web'),
  'crawl:all': crawlJobFor('all'),
  enrich: enrichJob,
  detect: detectJob,
  'model:train': modelTrainJob,
  'model:score': modelScoreJob,
  kpi: kpiJob,
  'report:weekly': weeklyReportJob,
};

export function findJob(name: string): AnyJob {
  const job = jobRegistry[name];
  if (!job) throw new Error(`unknown job "${name}" (known: ${Object.keys(jobRegistry).sort().join(', ')})`);
  return job;
}
