// Jobs the API can start: the shared registry (jobs/registry.ts), by name.
import { jobRegistry } from '../jobs/registry';
import type { Job } from '../jobs/types';

export function defaultJobs(): Record<string, Job> {
  return { ...(jobRegistry() as Record<string, Job>) };
}
