// Builds the configured sources; says plainly what is missing for a platform.
import type { Config } from '../config/index';
import type { GateFactory } from './rate-gate';
import { RedditSource, redditCredentials } from './platforms/reddit/source';
import type { CrawlPlatform, Source } from './source';
import { TwitterSource } from './platforms/twitter/source';
import { WebSource } from './platforms/web/source';

/** Why a platform cannot be crawled with this configuration, or null when it can. */
export function whyNotConfigured(config: Config, platform: CrawlPlatform): string | null {
  if (platform === 'reddit') {
    if (!redditCredentials(config)) return 'Reddit needs REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (plus REDDIT_USERNAME/REDDIT_PASSWORD or REDDIT_REFRESH_TOKEN for a script app)';
    const r = config.reddit;
    if (r.subreddits.length + r.searches.length + r.users.length === 0) return 'nothing to crawl on Reddit: set reddit.subreddits, reddit.searches or reddit.users';
    return null;
  }
  if (platform === 'twitter') {
    if (!config.secrets.twitterBearerToken) return 'X needs TWITTER_BEARER_TOKEN';
    if (config.twitter.queries.length + config.twitter.users.length === 0) return 'nothing to crawl on X: set twitter.queries or twitter.users';
    return null;
  }
  if (config.web.startUrls.length === 0) return 'nothing to crawl on the web: set web.startUrls (and web.allowDomains)';
  if (config.web.allowDomains.length === 0) return 'web.allowDomains is empty: the web crawler visits only listed domains';
  return null;
}

/** `gates` makes the rate gates (default in-process; BullMQ workers pass Redis-shared ones). */
export function createSource(config: Config, platform: CrawlPlatform, gates?: GateFactory): Source {
  const why = whyNotConfigured(config, platform);
  if (why) throw new Error(why);
  if (platform === 'reddit') return new RedditSource({ config, credentials: redditCredentials(config)!, gates });
  if (platform === 'twitter') return new TwitterSource({ config, bearerToken: config.secrets.twitterBearerToken!, gates });
  return new WebSource({ config, gates });
}
