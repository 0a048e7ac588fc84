// Starts the platform simulator: one HTTP server per platform on one host, each on its
// own port (port 0 → three free ports; port P → P, P+1, P+2 for Reddit, X and the review
// site). All share one world and one request log.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultOptions } from './faults';
import type { LimitSpec } from './ratelimit';
import { type RedditClient, type RedditLogin, type RedditSim, createRedditSim } from './reddit';
import { RequestLog, type SimStats } from './stats';
import { type TwitterApp, type TwitterOAuthClient, type TwitterRateLimits, type TwitterSim, createTwitterSim } from './twitter';
import { type WebSim, createWebSim } from './web';
import { type Scale, type World, generateWorld } from './world';

export interface SimulatorOptions {
  seed?: number | string;
  scale?: Scale;
  /** A world generated beforehand (seed, scale and now are then ignored). */
  world?: World;
  now?: Date;
  host?: string;
  /** 0 (default): free ports. P: Reddit on P, X on P+1, the review site on P+2. */
  port?: number;
  rateLimits?: {
    /** Per OAuth client id, clock-aligned windows (default 600 per 10 minutes). */
    reddit?: LimitSpec;
    /** Per token and endpoint, windows from the first request (default: X's per-endpoint limits per 15 minutes). */
    twitter?: TwitterRateLimits;
  };
  reddit?: { clients?: RedditClient[]; logins?: RedditLogin[]; listingCap?: number; searchCap?: number; tokenTtlSec?: number };
  twitter?: { apps?: TwitterApp[]; oauthClient?: TwitterOAuthClient; recentSearchDays?: number | null; tokenTtlSec?: number };
  web?: { pageSize?: number };
  /** Faults for every platform, or per platform ({ reddit, twitter, web }). */
  faults?: FaultOptions | { reddit?: FaultOptions; twitter?: FaultOptions; web?: FaultOptions };
}

export type PlatformName = 'reddit' | 'twitter' | 'web';

export interface Simulator {
  world: World;
  /** baseUrl plays oauth.reddit.com, authUrl is the full token endpoint URL (www.reddit.com/api/v1/access_token). */
  reddit: { baseUrl: string; authUrl: string; sim: RedditSim };
  /** baseUrl ends with /2/ (for twitter-api-v2's setPrefix); origin is the server root (POST /oauth2/token, /i/oauth2/authorize). */
  twitter: { baseUrl: string; origin: string; sim: TwitterSim };
  /** The review site; its host name is the world's webDomain. */
  web: { baseUrl: string; sim: WebSim };
  stats(): SimStats;
  /** Forgets the request log (e.g. between benchmark phases). */
  resetStats(): void;
  /** Replaces the fault settings of one platform, or of all when no platform is given. */
  setFaults(faults: FaultOptions, platform?: PlatformName): void;
  close(): Promise<void>;
}

function perPlatform(faults: SimulatorOptions['faults'], platform: PlatformName): FaultOptions | undefined {
  if (!faults) return undefined;
  if ('reddit' in faults || 'twitter' in faults || 'web' in faults) return (faults as Record<string, FaultOptions | undefined>)[platform];
  return faults as FaultOptions;
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const world = options.world ?? generateWorld({ seed: options.seed ?? 1, scale: options.scale ?? 'small', now: options.now, webDomain: host });
  const log = new RequestLog();
  const reddit = createRedditSim({ world, log, rateLimit: options.rateLimits?.reddit, faults: perPlatform(options.faults, 'reddit'), ...options.reddit });
  const twitter = createTwitterSim({ world, log, rateLimits: options.rateLimits?.twitter, faults: perPlatform(options.faults, 'twitter'), ...options.twitter });
  const web = createWebSim({ world, log, faults: perPlatform(options.faults, 'web'), ...options.web });
  const base = options.port ?? 0;
  const servers = [reddit.server, twitter.server, web.server];
  try {
    const redditPort = await listen(reddit.server, host, base);
    const twitterPort = await listen(twitter.server, host, base ? base + 1 : 0);
    const webPort = await listen(web.server, host, base ? base + 2 : 0);
    const origin = (port: number) => `http://${host}:${port}`;
    return {
      world,
      reddit: { baseUrl: origin(redditPort), authUrl: `${origin(redditPort)}/api/v1/access_token`, sim: reddit },
      twitter: { baseUrl: `${origin(twitterPort)}/2/`, origin: origin(twitterPort), sim: twitter },
      web: { baseUrl: origin(webPort), sim: web },
      stats: () => log.stats(),
      resetStats: () => log.clear(),
      setFaults: (faults, platform) => {
        if (!platform || platform === 'reddit') reddit.setFaults(faults);
        if (!platform || platform === 'twitter') twitter.setFaults(faults);
        if (!platform || platform === 'web') web.setFaults(faults);
      },
      close: async () => {
        await Promise.all(servers.map(closeServer));
      },
    };
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
}
