// API-key authentication and role checks for everything under /api. A route says the
// least role it needs in `config.role` (default analyst). No or unknown key → 401,
// too low a role → 403, over the per-key rate → 429.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../storage/store';
import type { ApiKey, Role } from '../storage/types';
import { type KeyVerifier, ROLE_RANK, touchApiKey } from './keys';
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

/** Installs the hooks on `app` (the /api scope), not as a plugin: they must apply to its sibling routes. */
export function installAuth(app: FastifyInstance, opts: { verifier: KeyVerifier; store: Store; perMinute: number }): void {
  const buckets = new TokenBuckets(opts.perMinute);
  const lastUsedWritten = new Map<string, number>();
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (req, reply) => {
    const need = req.routeOptions.config?.role ?? 'analyst';
    if (need === 'public') return;
    const presented = presentedKey(req);
    if (!presented) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'an API key is required: send it in the X-API-Key header' });
    }
    const key = await opts.verifier.verify(presented);
    if (!key) return reply.code(401).send({ error: 'Unauthorized', message: 'the API key is unknown, malformed or revoked' });
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
