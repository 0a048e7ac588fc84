// Jobs the API can start when the caller passes no registry (tests, a bare server):
// the analysis stages that need no external credentials, plus the weekly report.
// `ringwatch serve` passes the full registry (crawls included).
import { detectJob } from '../jobs/detect';
import { enrichJob } from '../jobs/enrich';
import { kpiJob } from '../jobs/kpi';
import type { Job } from '../jobs/types';
import { weeklyReportJob } from '../reports/job';

export function defaultJobs(): Record<string, Job> {
  const jobs = [enrichJob, detectJob, kpiJob, weeklyReportJob] as unknown as Job[];
  return Object.fromEntries(jobs.map((j) => [j.name, j]));
}
