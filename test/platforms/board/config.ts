// The board's configuration section and the settings its source reads.
import { Type as T } from '@sinclair/typebox';
import type { PlatformSettings } from '../../../crawlers/platforms/descriptor';

export const BoardConfig = T.Object({
  baseUrl: T.String({ format: 'uri' }),
  boards: T.Array(T.String({ pattern: '^[a-z0-9-]{1,40}$' })),
  /** The API's rate window; its limit comes from the RateLimit headers. */
  rateWindowSec: T.Number({ exclusiveMinimum: 0 }),
});

export type BoardSettings = PlatformSettings<'board', typeof BoardConfig, 'boardToken'>;
