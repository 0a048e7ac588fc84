// Review pages: product pages on allowlisted hosts, read through headless Chromium.
import { RETRY_AFTER } from '../../rate-gate';
import { definePlatform } from '../descriptor';
import { WebConfig } from './config';

export const web = definePlatform({
  id: 'web',
  label: 'review pages',
  colour: '#2f855a',
  config: {
    schema: WebConfig,
    defaults: { startUrls: [], allowDomains: [], perDomainDelayMs: 1000, maxPages: 200, chromiumPath: '/usr/bin/chromium' },
    env: { CHROMIUM_PATH: 'chromiumPath' },
  },
  secrets: {},
  rateHeaders: RETRY_AFTER,
  whyNotConfigured(config) {
    if (config.web.startUrls.length === 0) return 'nothing to crawl on the web: set web.startUrls (and web.allowDomains)';
    if (config.web.allowDomains.length === 0) return 'web.allowDomains is empty: the web crawler visits only listed domains';
    return null;
  },
  async createSource(config, gates) {
    const { WebSource } = await import('./source');
    return new WebSource({ config, gates });
  },
});
