// Jobs the API can start: the shared registry (jobs/registry: crawls and whatever the
// lead registers) plus the analysis stages and the weekly report, which are always there.
import { detectJob } from '../jobs/detect';
import { enrichJob } from '../jobs/enrich';
import { kpiJob } from '../jobs/kpi';
import { jobRegistry } from '../jobs/registry';
import type { Job } from '../jobs/types';
import { weeklyReportJob } from '../reports/job';

export function defaultJobs(): Record<string, Job> {
  const own = [enrichJob, detectJob, kpiJob, weeklyReportJob] as unknown as Job[];
  return { ...Object.fromEntries(own.map((j) => [j.name, j])), ...(jobRegistry as Record<string, Job>) };
}
