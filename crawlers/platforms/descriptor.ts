// What a platform folder (crawlers/platforms/<id>/index.ts) exports: one descriptor that
// says everything the rest of ringwatch derives from — the configuration section and its
// defaults, the secrets, when it cannot run, how to build its source, how its answers tell
// the rate window, and how people see it (label, colour). The crawl jobs, the queues, the
// schedules, the CLI, the API's platform filter, the dashboard and the reports all read
// the list of descriptors (registry.ts), as 4CAT reads its self-describing datasource folders.
import type { Static, TObject } from '@sinclair/typebox';
import type { CrawlSettings } from '../settings';
import type { GateFactory, HeaderStyle } from '../rate-gate';
import type { Source } from '../source';

/** The part of the configuration a platform sees: its own section, the crawl settings and its secrets. */
export type PlatformSettings<Id extends string, S extends TObject, K extends string> = { [P in Id]: Static<S> } & {
  crawl: CrawlSettings;
  secrets: { [P in K]?: string };
};

export interface PlatformDescriptor<Id extends string = string, S extends TObject = TObject, K extends string = string> {
  /** Lower-case word: `config.<id>`, `crawl <id>`, the `crawl:<id>` job, the `crawl-<id>` queue, `<id>:` in post and account ids. */
  id: Id;
  /** How people call it in sentences ("Reddit", "X", "review pages"). */
  label: string;
  /** Its colour in ring graphs (dashboard, report charts, GEXF), "#rrggbb". */
  colour: string;
  /** Its configuration section `config.<id>`: schema, built-in defaults, and environment variable → key in the section. */
  config: { schema: S; defaults: Static<S>; env?: Record<string, string> };
  /** Secrets it reads (environment only): variable → key in `config.secrets`. */
  secrets: Record<string, K>;
  /** How its API's answers tell the rate window (the gate paces by it). */
  rateHeaders: HeaderStyle;
  /** Why it cannot be crawled with this configuration (one sentence naming what to set), or null. */
  whyNotConfigured(config: PlatformSettings<Id, S, K>): string | null;
  /** Its source; loaded on demand, so that a command that does not crawl never loads a platform's client library. */
  createSource(config: PlatformSettings<Id, S, K>, gates?: GateFactory): Promise<Source>;
}

/** Types a descriptor (infers its id, section schema and secret keys). */
export function definePlatform<Id extends string, S extends TObject, K extends string = never>(d: PlatformDescriptor<Id, S, K>): PlatformDescriptor<Id, S, K> {
  return d;
}
