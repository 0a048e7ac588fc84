// Child process for the kill-and-resume test: crawls the simulated Reddit into the
// given database and exits. The parent SIGKILLs it mid-crawl and starts it again.
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { crawlSource } from '../../crawlers/engine';
import { RedditSource } from '../../crawlers/platforms/reddit/source';
import { openStore } from '../../storage/store';

const env = process.env;
const config = loadConfig({
  cwd: env.CHILD_DIR as string,
  env: { RINGWATCH_DATA: env.CHILD_DIR as string, RINGWATCH_LOG_LEVEL: 'silent' },
  overrides: { reddit: { baseUrl: env.SIM_REDDIT as string, authUrl: env.SIM_REDDIT_AUTH as string, subreddits: (env.SUBS as string).split(','), rateWindowSec: 1 } },
});
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
const source = new RedditSource({ config, pageSize: 10, credentials: { clientId: 'sim-reddit-client', clientSecret: 'sim-reddit-secret', username: 'sim_user', password: 'sim-password' } });
const report = await crawlSource(source, { store, log: pino({ level: 'silent' }), signal: new AbortController().signal, concurrency: 2 });
process.stdout.write(`${JSON.stringify({ errors: report.errorMessages, new: report.new })}\n`);
await store.close();
