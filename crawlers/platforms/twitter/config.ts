// X's configuration section and the settings its source reads.
import { Type as T } from '@sinclair/typebox';
import type { PlatformSettings } from '../descriptor';

export const TwitterConfig = T.Object({
  /** Must end with "/2/". */
  baseUrl: T.String({ format: 'uri', pattern: '/2/$' }),
  queries: T.Array(T.String({ minLength: 1 })),
  /** User ids or handles whose timelines are crawled. */
  users: T.Array(T.String({ minLength: 1 })),
  /** X's rate window per endpoint (15 minutes); limits come from the response headers. */
  rateWindowSec: T.Number({ exclusiveMinimum: 0 }),
});

export type TwitterSettings = PlatformSettings<'twitter', typeof TwitterConfig, 'twitterBearerToken'>;
