// The one configuration schema. Each area owns its section; each platform's section is
// declared in its folder (crawlers/platforms/<id>/index.ts) and added here.
import { type Static, type TObject, type TSchema, Type as T } from '@sinclair/typebox';
import type { PlatformDescriptor } from '../crawlers/platforms/descriptor';
import { type BuiltInSecret, type BuiltInSections, platforms } from '../crawlers/platforms/registry';
import { CrawlSchema } from '../crawlers/settings';

const Cron = T.String({ minLength: 9, description: 'cron expression, e.g. "*/15 * * * *"' });

export const ScheduleSchema = T.Object({
  /** Job name, e.g. "crawl:reddit", "enrich", "detect", "report:weekly". */
  job: T.String({ minLength: 1 }),
  cron: Cron,
  params: T.Optional(T.Record(T.String(), T.Unknown())),
});

/** Everything but the platforms' sections, which their folders declare (crawlers/platforms/). */
const CoreSchema = T.Object({
  /** Where the embedded store, reports and caches live. */
  dataDir: T.String({ minLength: 1 }),
  database: T.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$' }),
  logLevel: T.Union([
    T.Literal('trace'),
    T.Literal('debug'),
    T.Literal('info'),
    T.Literal('warn'),
    T.Literal('error'),
    T.Literal('silent'),
  ]),
  server: T.Object({
    host: T.String({ minLength: 1 }),
    port: T.Integer({ minimum: 0, maximum: 65535 }),
    /** Requests per minute per API key. */
    rateLimitPerMinute: T.Integer({ minimum: 1 }),
    /** Failed key checks per minute per client address (each costs an scrypt); beyond it 429. */
    failedLoginsPerMinute: T.Integer({ minimum: 1 }),
  }),
  crawl: CrawlSchema,
  schedules: T.Array(ScheduleSchema),
  detect: T.Object({
    window: T.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d|w)$' }),
    louvainResolution: T.Number({ exclusiveMinimum: 0 }),
    seed: T.Integer(),
    /** Accounts sharing one object within this of each other co-share (CooRTweet's time_window). */
    coShareWindow: T.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d|w)$' }),
  }),
  escalations: T.Object({
    /** Raw region spelling (lower-cased) → canonical region. */
    regionMap: T.Record(T.String(), T.String()),
    /** Raw channel spelling (lower-cased) → canonical channel. */
    channelMap: T.Record(T.String(), T.String()),
    /** Store customer ids as HMAC-SHA256 (key from RINGWATCH_HASH_KEY). */
    hashCustomerIds: T.Boolean(),
    piiMasking: T.Boolean(),
  }),
  reports: T.Object({
    /** Relative paths are under dataDir. */
    outDir: T.String({ minLength: 1 }),
  }),
});

/**
 * The one configuration schema: the core sections with every registered platform's
 * section after `server` (the order key lists and messages show).
 */
export function configSchema(list: readonly PlatformDescriptor[] = platforms()): TObject {
  const { dataDir, database, logLevel, server, ...rest } = CoreSchema.properties;
  const sections: Record<string, TSchema> = {};
  for (const p of list) {
    if (p.id in CoreSchema.properties) throw new Error(`platform "${p.id}" would hide the core configuration section of that name`);
    sections[p.id] = p.config.schema;
  }
  return T.Object({ dataDir, database, logLevel, server, ...sections, ...rest });
}

export type Config = Static<typeof CoreSchema> & BuiltInSections & { secrets: Secrets };

/** Secrets come from the environment only and are never logged or written; platforms add theirs (descriptor `secrets`). */
export type Secrets = {
  mongodbUri?: string;
  redisUrl?: string;
  hashKey?: string;
} & { [K in BuiltInSecret]?: string };

export type Schedule = Static<typeof ScheduleSchema>;
