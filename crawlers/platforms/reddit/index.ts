// Reddit: subreddit listings, searches and user histories through the OAuth API.
import { definePlatform } from '../descriptor';
import { REDDIT_SECRETS, RedditConfig, redditCredentials } from './config';
import { REDDIT_HEADERS } from './rate-headers';

export const reddit = definePlatform({
  id: 'reddit',
  label: 'Reddit',
  colour: '#ff4500',
  config: {
    schema: RedditConfig,
    defaults: {
      baseUrl: 'https://oauth.reddit.com',
      authUrl: 'https://www.reddit.com',
      userAgent: 'node:ringwatch:0.1.0 (by /u/ringwatch-operator)',
      subreddits: [],
      searches: [],
      users: [],
      comments: true,
      fetchAuthors: true,
      rateWindowSec: 600,
    },
    env: { REDDIT_BASE_URL: 'baseUrl', REDDIT_AUTH_URL: 'authUrl', REDDIT_USER_AGENT: 'userAgent' },
  },
  secrets: REDDIT_SECRETS,
  rateHeaders: REDDIT_HEADERS,
  whyNotConfigured(config) {
    if (!redditCredentials(config)) return 'Reddit needs REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (plus REDDIT_USERNAME/REDDIT_PASSWORD or REDDIT_REFRESH_TOKEN for a script app)';
    const r = config.reddit;
    if (r.subreddits.length + r.searches.length + r.users.length === 0) return 'nothing to crawl on Reddit: set reddit.subreddits, reddit.searches or reddit.users';
    return null;
  },
  async createSource(config, gates) {
    const { RedditSource } = await import('./source');
    return new RedditSource({ config, credentials: redditCredentials(config)!, gates });
  },
});
