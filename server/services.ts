// What the API's route modules are given: the store, the configuration, the logger,
// the jobs admins may start and the live views. In its own module so that routes and
// the app that registers them do not import each other.
import type { Logger } from 'pino';
import type { Config } from '../config/index';
import type { Job } from '../jobs/types';
import type { Store } from '../storage/store';
import type { LiveViews } from '../storage/live/index';

export interface ServerDeps {
  store: Store;
  config: Config;
  log: Logger;
  /** Jobs admins may start through POST /api/jobs, by name (default: detect, kpi, report:weekly). */
  jobs?: Record<string, Job>;
}

export interface Services extends ServerDeps {
  jobs: Record<string, Job>;
  /** Accounts, posts and API keys in memory, kept in step with the store (storage/live). */
  live: LiveViews;
}
