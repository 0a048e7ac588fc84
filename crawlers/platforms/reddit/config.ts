// Reddit's configuration section, secrets and the settings its source reads.
import { Type as T } from '@sinclair/typebox';
import type { PlatformSettings } from '../descriptor';

export const RedditConfig = T.Object({
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
});

export const REDDIT_SECRETS = {
  REDDIT_CLIENT_ID: 'redditClientId',
  REDDIT_CLIENT_SECRET: 'redditClientSecret',
  REDDIT_USERNAME: 'redditUsername',
  REDDIT_PASSWORD: 'redditPassword',
  REDDIT_REFRESH_TOKEN: 'redditRefreshToken',
} as const;

export type RedditSettings = PlatformSettings<'reddit', typeof RedditConfig, (typeof REDDIT_SECRETS)[keyof typeof REDDIT_SECRETS]>;

export interface RedditCredentials {
  clientId: string;
  clientSecret: string;
  /** Script apps: password grant. */
  username?: string;
  password?: string;
  /** Or a refresh token from an earlier authorization. */
  refreshToken?: string;
}

export function redditCredentials(config: RedditSettings): RedditCredentials | null {
  const s = config.secrets;
  if (!s.redditClientId || s.redditClientSecret === undefined) return null;
  return {
    clientId: s.redditClientId,
    clientSecret: s.redditClientSecret,
    username: s.redditUsername,
    password: s.redditPassword,
    refreshToken: s.redditRefreshToken,
  };
}
