// What the API's route modules are given: the store, the configuration, the logger,
// the jobs admins may start and the look-ups beyond `_id`. In its own module so that routes and
// the app that registers them do not import each other.
import type { Logger } from 'pino';
import type { Config } from '../config/index';
import type { Job } from '../jobs/types';
import type { Store } from '../storage/store';
import type { LookupMode, Lookups } from '../storage/lookups';

export interface ServerDeps {
  store: Store;
  config: Config;
  log: Logger;
  /** Jobs admins may start through POST /api/jobs, by name (default: detect, kpi, report:weekly). */
  jobs?: Record<string, Job>;
  /** How the look-ups beyond `_id` are answered (default: in memory on FerretDB, by the indexes on MongoDB); tests set it. */
  lookupMode?: LookupMode;
}

export interface Services extends ServerDeps {
  jobs: Record<string, Job>;
  /** Accounts lists, account pages, posts by product or account, API keys (storage/lookups.ts). */
  lookups: Lookups;
}
