// The simulator for `npm run bench -- crawl`, in its own process so that the crawler's CPU
// time is measured without the simulator's. Options come as JSON in argv[2].
import { startSimulator, type SimulatorOptions } from '../sim';

const opts = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const sim = await startSimulator(opts);
process.stdout.write(`${JSON.stringify({ reddit: sim.reddit.baseUrl, redditAuth: sim.reddit.authUrl, twitter: sim.twitter.baseUrl, subreddits: sim.world.subreddits, brands: [...new Set(sim.world.products.map((p) => p.brand))] })}\n`);
process.on('message', (m) => {
  if (m === 'stats') process.send?.(sim.stats().log.filter((r) => !r.endpoint?.includes('access_token')).map((r) => ({ t: r.t, status: r.status, platform: r.platform, endpoint: r.endpoint })));
});
process.on('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
