// Login cost (issue 14.8): an unknown key id costs what a wrong secret costs (no probing
// of ids by timing); failed checks are throttled per client address (429 without any
// hashing), so 32 attacking addresses cannot starve a valid key's first request.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createApiKey, KeyVerifier } from '../../queries/keys';
import { useServedWorld } from '../server/world';

const served = useServedWorld();

/** GET from a chosen loopback address (127.0.0.0/8 all reach the server; each is its own client). */
function get(path: string, key: string, from = '127.0.0.1'): Promise<{ status: number; ms: number; retryAfter?: string }> {
  const url = new URL(path, served.base);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, headers: { 'x-api-key': key }, localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// rw_<12-char id>_<secret>: the secret may itself contain '_'.
const wrongSecret = (key: string) => `${key.slice(0, 16)}${'A'.repeat(43)}`;

describe('login cost', () => {
  it('costs the same for an unknown key id as for a known id with a wrong secret', async () => {
    const verifier = new KeyVerifier((id) => served.w.store.apiKeys.get(id));
    const known = wrongSecret(served.w.keys.analyst);
    const unknown = `rw_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 15; i++) {
      for (const [kind, key] of [['known', known], ['unknown', unknown]] as const) {
        const t0 = performance.now();
        expect(await verifier.verify(key)).toBeNull();
        times[kind].push(performance.now() - t0);
      }
    }
    const k = median(times.known);
    const u = median(times.unknown);
    console.log(`failed check: known id ${k.toFixed(1)} ms, unknown id ${u.toFixed(1)} ms (medians of 15)`);
    expect(u).toBeGreaterThan(0.5 * k);
    expect(u).toBeLessThan(2 * k);
  });

  it('answers 429 to an address after 3 failed checks at once; other addresses and verified keys are unaffected', async () => {
    const bad = wrongSecret(served.w.keys.policy);
    const from = '127.0.0.200';
    expect((await get('/api/me', served.w.keys.analyst, from)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get('/api/me', bad, from)).status).toBe(401);
    const throttled = await get('/api/me', bad, from);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
    // A key this server already verified still works from there (no hashing needed) …
    expect((await get('/api/me', served.w.keys.analyst, from)).status).toBe(200);
    // … and another address is not throttled.
    expect((await get('/api/me', bad, '127.0.0.201')).status).toBe(401);
  });

  it("keeps a valid key's first request fast while 32 addresses keep trying wrong keys", async () => {
    const fresh = async () => (await createApiKey(served.w.store, { role: 'analyst', name: 'fresh', actor: 'test' })).key;
    // The first request of a key (one scrypt) without an attack, as the yardstick.
    const quiet: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await get('/api/me', await fresh());
      expect(r.status).toBe(200);
      quiet.push(r.ms);
    }
    const victims = [await fresh(), await fresh(), await fresh()];
    let attacking = true;
    const counts = { 401: 0, 429: 0, other: 0 };
    const attackers = Array.from({ length: 32 }, async (_, i) => {
      // Real key ids with wrong secrets (and unknown ids): each costs a full scrypt.
      const key = i % 2 ? wrongSecret(served.w.keys.policy) : `rw_${i.toString(36).padStart(12, 'x')}_${'B'.repeat(43)}`;
      while (attacking) {
        const r = await get('/api/me', key, `127.0.1.${i + 1}`);
        if (r.status === 401 || r.status === 429) counts[r.status]++;
        else counts.other++;
      }
    });
    const attacked: { status: number; ms: number }[] = [];
    for (const victim of victims) {
      await new Promise((r) => setTimeout(r, 2000));
      attacked.push(await get('/api/me', victim));
    }
    attacking = false;
    await Promise.all(attackers);
    const ms = median(attacked.map((a) => a.ms));
    console.log(`valid keys' first requests: ${attacked.map((a) => a.ms.toFixed(0)).join(', ')} ms under attack vs ${median(quiet).toFixed(0)} ms quiet; attackers got ${counts[401]} × 401, ${counts[429]} × 429`);
    for (const a of attacked) expect(a.status).toBe(200);
    expect(counts.other).toBe(0);
    // Unprotected, 32 attackers keep ~8 hashes queued per pool thread ahead of it: measured
    // 3.2–4.3 s before the fix; with it 90–560 ms, the upper end when the other test worker
    // shares the 2 cores (a fresh-clone CI run saw a median of 347 ms against a 321 ms bound).
    expect(ms).toBeLessThan(4 * median(quiet) + 600);
  }, 60_000);
});
