// What the API says when a request is wrong: the parameter by name, the allowed values,
// 400 for values that cannot mean anything (an ISO week 60, an unknown platform), 404 with
// a sentence for what does not exist.
import { describe, expect, it } from 'vitest';
import { useServedWorld } from './world';

const world = useServedWorld();

async function get(path: string, key = world.w.keys.admin) {
  const res = await fetch(`${world.base}${path}`, { headers: { 'x-api-key': key } });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, message: String(json.message ?? '') };
}


describe('ISO weeks', () => {
  it('refuses weeks that do not exist with 400, naming the valid range', async () => {
    for (const week of ['2026-W60', '2026-W00', '2026-W54', '2025-W53']) {
      const r = await get(`/api/reports/weekly?format=json&week=${week}`);
      expect(r.status, week).toBe(400);
      expect(r.message).toMatch(new RegExp(`week: "${week}" is not an ISO week: 202[56] has weeks W01 to W5[23]`));
    }
    expect((await get('/api/escalations?week=2026-W60')).status).toBe(400);
    // 2026 has 53 ISO weeks.
    expect((await get('/api/reports/weekly?format=json&week=2026-W53')).status).toBe(200);
  });

  it('says plainly that a week without cases is empty', async () => {
    const r = await get('/api/reports/weekly?format=json&week=2019-W10');
    expect(r.status).toBe(200);
    expect(r.json.empty).toMatch(/^no escalation cases were opened in 2019-W10 \(cases cover \d{4}-W\d\d to \d{4}-W\d\d\)$/);
    const full = await get('/api/reports/weekly?format=json');
    expect(full.json.empty).toBeNull();
  });
});

describe('parameter errors', () => {
  it('names an unknown parameter and lists the allowed ones', async () => {
    const r = await get('/api/accounts?foo=bar');
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/^unknown query parameter "foo"; allowed: .*\bhandle\b.*\bminScore\b.*\bplatform\b/);
  });

  it('lists the allowed values once instead of repeating "must be equal to constant"', async () => {
    const r = await get('/api/rings?status=bogus');
    expect(r.status).toBe(400);
    expect(r.message).toBe('query parameter "status" must be one of new, in_review, confirmed, dismissed');
  });

  it('refuses an unknown platform and since after until with 400', async () => {
    const p = await get('/api/accounts?platform=tiktok');
    expect(p.status).toBe(400);
    expect(p.message).toMatch(/^unknown platform "tiktok"; known: .*reddit.*twitter.*web/);
    expect((await get('/api/accounts?platform=reddit')).status).toBe(200);
    const d = await get('/api/rings?since=2026-11-20&until=2026-11-01');
    expect(d.status).toBe(400);
    expect(d.message).toBe('since (2026-11-20) is after until (2026-11-01): nothing can match');
    // Shaped like a date but none: 400 naming the parameter, on every route that reads dates.
    for (const path of ['/api/rings?since=2026-13-01', '/api/posts?since=2026-13-01', '/api/kpis?since=2026-13-01']) {
      const bad = await get(path);
      expect(bad.status, path).toBe(400);
      expect(bad.message, path).toBe('since "2026-13-01" is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)');
    }
  });

  it('answers 404 with a sentence for a ring that does not exist', async () => {
    const r = await get('/api/rings/ring_doesnotexist');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'Not Found', message: 'no ring ring_doesnotexist' });
  });
});
