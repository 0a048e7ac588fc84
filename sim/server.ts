// Starts the platform simulator: one HTTP server per platform on 127.0.0.1, each on its
// own port (port 0 → three free ports; port P → P, P+1, P+2 for Reddit, X and the review
// site). All share one request log and one world.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultOptions } from './faults';
import type { LimitSpec } from './ratelimit';
import { type RedditClient, type RedditLogin, type RedditSim, createRedditSim } from './reddit';
import { RequestLog, type SimStats } from './stats';
import { type Scale, type World, generateWorld } from './world';

export interface SimulatorOptions {
  seed?: number | string;
  scale?: Scale;
  /** A world generated beforehand (seed and scale are then ignored). */
  world?: World;
  now?: Date;
  host?: string;
  port?: number;
  rateLimits?: {
    reddit?: LimitSpec;
  };
  reddit?: { clients?: RedditClient[]; logins?: RedditLogin[]; listingCap?: number; searchCap?: number; tokenTtlSec?: number };
  /** Faults for every platform, or per platform. */
  faults?: FaultOptions | { reddit?: FaultOptions; twitter?: FaultOptions; web?: FaultOptions };
}

export type PlatformName = 'reddit' | 'twitter' | 'web';

export interface Simulator {
  world: World;
  reddit: { baseUrl: string; authUrl: string; sim: RedditSim };
  stats(): SimStats;
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
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = options.world ?? generateWorld({ seed: options.seed ?? 1, scale: options.scale ?? 'small', now: options.now });
  const host = options.host ?? '127.0.0.1';
  const log = new RequestLog();
  const reddit = createRedditSim({ world, log, rateLimit: options.rateLimits?.reddit, faults: perPlatform(options.faults, 'reddit'), ...options.reddit });
  const base = options.port ?? 0;
  const servers: Server[] = [];
  try {
    const redditPort = await listen(reddit.server, host, base);
    servers.push(reddit.server);
    const origin = (port: number) => `http://${host}:${port}`;
    return {
      world,
      reddit: { baseUrl: origin(redditPort), authUrl: `${origin(redditPort)}/api/v1/access_token`, sim: reddit },
      stats: () => log.stats(),
      setFaults: (faults, platform) => {
        if (!platform || platform === 'reddit') reddit.setFaults(faults);
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
