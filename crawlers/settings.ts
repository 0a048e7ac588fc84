// The `crawl` section of the configuration: how every platform's crawler behaves. Owned
// here, where it is read; config/schema.ts puts it into the one schema.
import { type Static, Type as T } from '@sinclair/typebox';

export const CrawlSchema = T.Object({
  maxRetries: T.Integer({ minimum: 0, maximum: 20 }),
  requestTimeoutMs: T.Integer({ minimum: 100 }),
  /** Upper bound of requests per crawl run (0 = unlimited). */
  maxRequests: T.Integer({ minimum: 0 }),
  /** Crawl units (subreddits, queries, product pages) worked on at once per platform; they share one rate gate. */
  concurrency: T.Integer({ minimum: 1, maximum: 16 }),
  /** Re-check stored posts this many days back from the newest for deletions (0 = off). */
  deletionSyncDays: T.Number({ minimum: 0 }),
});

/** What every platform's source may read besides its own section. */
export type CrawlSettings = Static<typeof CrawlSchema>;
