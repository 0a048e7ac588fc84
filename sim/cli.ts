// `ringwatch sim serve`: starts the simulator alone and prints where it listens and the
// test credentials. The lead's commander wiring calls simServe() and keeps the process
// alive until a signal; stop() closes the servers.
import type { FaultOptions } from './faults';
import { writeWorldFiles } from './files';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS } from './reddit';
import { type Simulator, startSimulator } from './server';
import { DEFAULT_TWITTER_APPS, DEFAULT_TWITTER_OAUTH_CLIENT } from './twitter';
import { type Scale, postCount } from './world';

export interface SimServeOptions {
  port?: number;
  host?: string;
  seed?: number | string;
  scale?: Scale;
  /** ISO date: end of the simulated period (default: a fixed date, so a seed alone fixes the world). */
  now?: string;
  /** Also write escalations.csv, orders.csv, reviews.csv and truth.json here. */
  dataDir?: string;
  /** Reddit requests per window per client id, and the window in ms. */
  redditLimit?: number;
  redditWindowMs?: number;
  /** X window in ms (limits stay X's per-endpoint numbers unless twitterLimit is given). */
  twitterWindowMs?: number;
  twitterLimit?: number;
  faults?: FaultOptions;
  /** Where to print (default stdout). */
  print?: (line: string) => void;
}

export function describeSimulator(sim: Simulator): string[] {
  const w = sim.world;
  const app = DEFAULT_TWITTER_APPS[0];
  return [
    `ringwatch platform simulator: seed ${w.seed}, scale ${w.scale}, ${postCount(w)} posts, ${w.truth.rings.length} planted rings, period ending ${new Date(w.now).toISOString()}`,
    '',
    `Reddit   API   ${sim.reddit.baseUrl}   (plays https://oauth.reddit.com)`,
    `         token ${sim.reddit.authUrl}`,
    `         client id ${DEFAULT_REDDIT_CLIENTS[0].id}  secret ${DEFAULT_REDDIT_CLIENTS[0].secret}`,
    `         user ${DEFAULT_REDDIT_LOGINS[0].username}  password ${DEFAULT_REDDIT_LOGINS[0].password}`,
    `         subreddits ${w.subreddits.join(', ')}`,
    `X        API   ${sim.twitter.baseUrl}   (plays https://api.x.com/2/)`,
    `         bearer token ${app.bearerToken}  (consumer key ${app.key} / ${app.secret})`,
    `         OAuth2 client ${DEFAULT_TWITTER_OAUTH_CLIENT.clientId} / ${DEFAULT_TWITTER_OAUTH_CLIENT.clientSecret}`,
    `Reviews  site  ${sim.web.baseUrl}/products   (robots.txt at ${sim.web.baseUrl}/robots.txt)`,
  ];
}

export async function simServe(options: SimServeOptions = {}): Promise<{ sim: Simulator; stop: () => Promise<void> }> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sim = await startSimulator({
    seed: options.seed ?? 1,
    scale: options.scale ?? 'small',
    now: options.now ? new Date(options.now) : undefined,
    host: options.host,
    port: options.port,
    rateLimits: {
      reddit: options.redditLimit || options.redditWindowMs ? { limit: options.redditLimit ?? 600, windowMs: options.redditWindowMs ?? 600_000 } : undefined,
      twitter: { windowMs: options.twitterWindowMs, limit: options.twitterLimit },
    },
    faults: options.faults,
  });
  for (const line of describeSimulator(sim)) print(line);
  if (options.dataDir) {
    const files = await writeWorldFiles(sim.world, options.dataDir, { textlessReviews: true, webBaseUrl: sim.web.baseUrl });
    print('');
    print(`Import files: ${files.escalations}, ${files.orders}, ${files.reviews}`);
    print(`Ground truth (never read by detection): ${files.truth}`);
  }
  return { sim, stop: () => sim.close() };
}
