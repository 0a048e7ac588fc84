// API-key authentication and role checks for everything under /api. A route says the
// least role it needs in `config.role` (default analyst). No or unknown key → 401,
// too low a role → 403, over the per-key rate → 429. Every failed check of a well-formed
// key costs an scrypt (unknown ids too: keys.ts), so failures are also rate-limited per
// client address: past a burst of FAILED_BURST, `failedPerMinute`; beyond it an address
// gets 429 without any hashing, except for keys already verified (cached). Addresses
// that failed recently also hash through a gate of SUSPECT_HASHES at a time, so however
// many addresses attack, they hold at most that many of libuv's 4 hashing threads and a
// valid key's first check from a clean address does not queue behind them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../storage/store';
import type { ApiKey, Role } from '../storage/types';
import { type KeyVerifier, ROLE_RANK, touchApiKey } from '../queries/keys';
import { TokenBuckets } from './ratelimit';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
  interface FastifyContextConfig {
    /** The least role the route needs; "public" skips auth. */
    role?: Role | 'public';
  }
}

export function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return undefined;
}

/** The actor name written to the audit trail. */
export function actorOf(req: FastifyRequest): string {
  return req.apiKey ? `key:${req.apiKey._id}(${req.apiKey.name})` : 'anonymous';
}

const LAST_USED_WRITE_MS = 60_000;
/**
 * Failed checks an address may make at once before the per-minute rate applies. Small: each
 * costs an scrypt (~50 ms of a pool thread), and many addresses each spending a large burst
 * would starve valid keys for seconds (32 addresses x 10 = 9 s measured on 2 busy cores).
 */
const FAILED_BURST = 3;
const SUSPECT_HASHES = 1;

/** Installs the hooks on `app` (the /api scope), not as a plugin: they must apply to its sibling routes. */
export function installAuth(app: FastifyInstance, opts: { verifier: KeyVerifier; store: Store; perMinute: number; failedPerMinute: number }): void {
  const buckets = new TokenBuckets(opts.perMinute);
  const failures = new TokenBuckets(opts.failedPerMinute, Date.now, FAILED_BURST);
  const suspectGate = gate(SUSPECT_HASHES);
  const lastUsedWritten = new Map<string, number>();
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (req, reply) => {
    const need = req.routeOptions.config?.role ?? 'analyst';
    if (need === 'public') return;
    const presented = presentedKey(req);
    if (!presented) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'an API key is required: send it in the X-API-Key header' });
    }
    const throttled = failures.peek(req.ip);
    const suspect = throttled.remaining < FAILED_BURST;
    const key = await opts.verifier.verify(presented, { cachedOnly: !throttled.allowed, hashIn: suspect ? suspectGate : undefined });
    if (!key && !throttled.allowed) {
      return reply.code(429).header('retry-after', throttled.retryAfter).send({ error: 'Too Many Requests', message: `too many failed API key checks from this address; retry in ${throttled.retryAfter} s` });
    }
    if (!key) {
      failures.take(req.ip);
      return reply.code(401).send({ error: 'Unauthorized', message: 'the API key is unknown, malformed or revoked' });
    }
    req.apiKey = key;
    const rate = buckets.take(key._id);
    reply.header('x-ratelimit-limit', opts.perMinute).header('x-ratelimit-remaining', rate.remaining);
    if (!rate.allowed) {
      return reply.code(429).header('retry-after', rate.retryAfter).send({ error: 'Too Many Requests', message: `rate limit of ${opts.perMinute} requests per minute for this key; retry in ${rate.retryAfter} s` });
    }
    if (ROLE_RANK[key.role] < ROLE_RANK[need]) {
      return reply.code(403).send({ error: 'Forbidden', message: `this needs the ${need} role; the key has the ${key.role} role` });
    }
    const now = Date.now();
    if (now - (lastUsedWritten.get(key._id) ?? 0) > LAST_USED_WRITE_MS) {
      lastUsedWritten.set(key._id, now);
      void touchApiKey(opts.store, key._id, new Date(now)).catch(() => {});
    }
  });
}

/** Runs at most `n` pieces of work at once, the rest in arrival order. */
function gate(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (work) => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    else running++;
    try {
      return await work();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}
