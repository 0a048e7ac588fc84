// The review-page crawler's configuration section and the settings its source reads.
import { Type as T } from '@sinclair/typebox';
import type { PlatformSettings } from '../descriptor';

export const WebConfig = T.Object({
  startUrls: T.Array(T.String({ format: 'uri' })),
  /** Host names (with port when not default) the web crawler may visit; anything else is refused. */
  allowDomains: T.Array(T.String({ minLength: 1 })),
  perDomainDelayMs: T.Integer({ minimum: 0 }),
  maxPages: T.Integer({ minimum: 1 }),
  chromiumPath: T.String({ minLength: 1 }),
});

export type WebSettings = PlatformSettings<'web', typeof WebConfig, never>;
