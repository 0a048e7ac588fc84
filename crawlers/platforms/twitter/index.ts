// X (Twitter): recent search and user timelines through the v2 API with an app's bearer token.
import { definePlatform } from '../descriptor';
import { TwitterConfig } from './config';
import { X_HEADERS } from './rate-headers';

export const twitter = definePlatform({
  id: 'twitter',
  label: 'X',
  colour: '#1d9bf0',
  config: {
    schema: TwitterConfig,
    defaults: { baseUrl: 'https://api.x.com/2/', queries: [], users: [], rateWindowSec: 900 },
    env: { TWITTER_BASE_URL: 'baseUrl' },
  },
  secrets: { TWITTER_BEARER_TOKEN: 'twitterBearerToken' },
  rateHeaders: X_HEADERS,
  whyNotConfigured(config) {
    if (!config.secrets.twitterBearerToken) return 'X needs TWITTER_BEARER_TOKEN';
    if (config.twitter.queries.length + config.twitter.users.length === 0) return 'nothing to crawl on X: set twitter.queries or twitter.users';
    return null;
  },
  async createSource(config, gates) {
    const { TwitterSource } = await import('./source');
    return new TwitterSource({ config, bearerToken: config.secrets.twitterBearerToken!, gates });
  },
});
