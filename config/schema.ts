// The one configuration schema. Each area owns its section; defaults live here so
// that `ringwatch.config.json` only needs what differs.
import { type Static, Type as T } from '@sinclair/typebox';

const Cron = T.String({ minLength: 9, description: 'cron expression, e.g. "*/15 * * * *"' });

export const ScheduleSchema = T.Object({
  /** Job name, e.g. "crawl:reddit", "enrich", "detect", "report:weekly". */
  job: T.String({ minLength: 1 }),
  cron: Cron,
  params: T.Optional(T.Record(T.String(), T.Unknown())),
});

export const ConfigSchema = T.Object({
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
  reddit: T.Object({
    /** API host; the simulator's URL in the demo. */
    baseUrl: T.String({ format: 'uri' }),
    /** Token endpoint host. */
    authUrl: T.String({ format: 'uri' }),
    /** Reddit's rule: "<platform>:<app id>:<version> (by /u/<username>)". */
    userAgent: T.String({ minLength: 1 }),
    subreddits: T.Array(T.String({ pattern: '^[A-Za-z0-9_]{2,21}$' })),
    searches: T.Array(T.Object({ subreddit: T.String(), query: T.String({ minLength: 1 }) })),
    users: T.Array(T.String({ minLength: 1 })),
    /** Walk comment trees of crawled submissions. */
    comments: T.Boolean(),
    /** Fetch /user/{name}/about for new authors (account creation time, karma). */
    fetchAuthors: T.Boolean(),
    /** Reddit's rate window (10 minutes); the limit itself comes from the response headers. */
    rateWindowSec: T.Number({ exclusiveMinimum: 0 }),
  }),
  twitter: T.Object({
    /** Must end with "/2/". */
    baseUrl: T.String({ format: 'uri', pattern: '/2/$' }),
    queries: T.Array(T.String({ minLength: 1 })),
    /** User ids or handles whose timelines are crawled. */
    users: T.Array(T.String({ minLength: 1 })),
    /** X's rate window per endpoint (15 minutes); limits come from the response headers. */
    rateWindowSec: T.Number({ exclusiveMinimum: 0 }),
  }),
  web: T.Object({
    startUrls: T.Array(T.String({ format: 'uri' })),
    /** Host names (with port when not default) the web crawler may visit; anything else is refused. */
    allowDomains: T.Array(T.String({ minLength: 1 })),
    perDomainDelayMs: T.Integer({ minimum: 0 }),
    maxPages: T.Integer({ minimum: 1 }),
    chromiumPath: T.String({ minLength: 1 }),
  }),
  crawl: T.Object({
    maxRetries: T.Integer({ minimum: 0, maximum: 20 }),
    requestTimeoutMs: T.Integer({ minimum: 100 }),
    /** Upper bound of requests per crawl run (0 = unlimited). */
    maxRequests: T.Integer({ minimum: 0 }),
    /** Crawl units (subreddits, queries, product pages) worked on at once per platform; they share one rate gate. */
    concurrency: T.Integer({ minimum: 1, maximum: 16 }),
    /** Re-check stored posts this many days back from the newest for deletions (0 = off). */
    deletionSyncDays: T.Number({ minimum: 0 }),
  }),
  schedules: T.Array(ScheduleSchema),
  detect: T.Object({
    window: T.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d|w)$' }),
    louvainResolution: T.Number({ exclusiveMinimum: 0 }),
    seed: T.Integer(),
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

export type Config = Static<typeof ConfigSchema> & { secrets: Secrets };

/** Secrets come from the environment only and are never logged or written. */
export interface Secrets {
  mongodbUri?: string;
  redisUrl?: string;
  redditClientId?: string;
  redditClientSecret?: string;
  redditUsername?: string;
  redditPassword?: string;
  redditRefreshToken?: string;
  twitterBearerToken?: string;
  hashKey?: string;
}

export type Schedule = Static<typeof ScheduleSchema>;
