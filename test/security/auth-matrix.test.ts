// Every API route × every kind of credential (the red-team pass's 27 routes × 7 kinds held;
// kept tested): no key, a malformed key, a real id with a wrong secret, an unknown id and a
// revoked key are 401 everywhere; valid keys are never 401, admin is never 403, and a role
// allowed a route lets every higher role in. Routes come from the OpenAPI description, so a
// new route is covered without editing this file. Failing credentials come from their own
// loopback addresses so the failed-login throttle (login.test.ts) does not turn them into 429s.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../queries/keys';
import { useServedWorld } from '../server/world';

const served = useServedWorld();
let address = 0;

function send(method: string, p: string, key: string | undefined, from: string): Promise<number> {
  const url = new URL(p, served.base);
  const body = ['POST', 'PATCH', 'PUT'].includes(method) ? '{}' : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method, host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress: from, agent: false, headers: { ...(key ? { 'x-api-key': key } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('auth on every route', () => {
  it('answers every credential kind on every /api route as its role allows', async () => {
    const { w } = served;
    const spec = (await (await fetch(`${served.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/api/') && p !== '/api/health')
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m)).map((m) => ({ method: m.toUpperCase(), path: p.replace(/\{[^}]+\}/g, p.startsWith('/api/rings') ? w.ringIds[0] : 'x') })));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const revoked = await createApiKey(w.store, { role: 'admin', name: 'revoked', actor: 'test' });
    await revokeApiKey(w.store, revoked.id, 'test');
    const failing: Record<string, string | undefined> = {
      none: undefined,
      malformed: 'rw_nope',
      wrongSecret: `${w.keys.admin.slice(0, 16)}${'A'.repeat(43)}`,
      unknownId: `rw_${'0'.repeat(12)}_${'A'.repeat(43)}`,
      revoked: revoked.key,
    };
    let requests = 0;
    for (const r of routes) {
      for (const [kind, key] of Object.entries(failing)) {
        address++;
        const status = await send(r.method, r.path, key, `127.0.${4 + Math.floor(address / 250)}.${(address % 250) + 1}`);
        requests++;
        expect(status, `${r.method} ${r.path} with ${kind}`).toBe(401);
      }
      const byRole: Record<string, number> = {};
      for (const role of ['analyst', 'policy', 'admin'] as const) {
        byRole[role] = await send(r.method, r.path, w.keys[role], '127.0.0.1');
        requests++;
        expect(byRole[role], `${r.method} ${r.path} as ${role}`).not.toBe(401);
        expect(byRole[role], `${r.method} ${r.path} as ${role}`).toBeLessThan(500);
      }
      expect(byRole.admin, `${r.method} ${r.path} as admin`).not.toBe(403);
      if (byRole.analyst !== 403) expect(byRole.policy, `${r.method} ${r.path}: analyst allowed, policy not`).not.toBe(403);
    }
    // Spot checks of the role table in docs/api.md.
    const need = async (method: string, p: string, role: 'analyst' | 'policy') => send(method, p, w.keys[role], '127.0.0.1');
    expect(await need('GET', '/api/keys', 'policy')).toBe(403);
    expect(await need('GET', '/api/config', 'policy')).toBe(403);
    expect(await need('POST', '/api/jobs', 'policy')).toBe(403);
    expect(await need('PATCH', `/api/rings/${w.ringIds[0]}/review`, 'analyst')).toBe(403);
    expect(await need('GET', `/api/rings/${w.ringIds[0]}/report`, 'analyst')).toBe(403);
    console.log(`${requests} auth requests across ${routes.length} routes × 8 credential kinds`);
  }, 180_000);
});
