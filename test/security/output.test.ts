// Attacker-written posts reach analysts through reports and exports (docs/security.md):
// every field of a ring report is escaped (no markup, no script URLs survive, whatever the
// text), and CSV exports cannot carry spreadsheet formulas.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvSafe, exportRow } from '../../cli/commands/accounts';
import { ringReportHtml } from '../../reports/ring-html';
import type { RingReportData } from '../../reports/ring-data';
import type { Account, Post, Ring } from '../../storage/types';

const hostile = fc.oneof(
  fc.constantFrom('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", 'javascript:alert(1)', '</textarea><script>x</script>', '<a href="javascript:alert(1)">x</a>', '`$' + '{alert(1)}`', '<!--', ']]>'),
  fc.string({ maxLength: 30 }).map((s) => `<b>${s}</b>`),
);
const T = new Date('2026-11-01T00:00:00Z');

function report(h: string[]): RingReportData {
  const at = (i: number) => h[i % h.length];
  const ring: Ring = {
    _id: `ring-${1}`, members: ['reddit:u/a', 'reddit:u/b'], platforms: ['reddit'], products: [at(0)], score: 0.9,
    indicators: [{ name: 'time_window', value: 1, score: 1, explanation: at(1) }],
    strongestEdges: [{ source: 'reddit:u/a', target: 'reddit:u/b', weight: 1, reasons: { co_review: 1 }, posts: ['reddit:t3_x'] }],
    evidencePosts: ['reddit:t3_x'], firstPostAt: T, lastPostAt: T,
    links: [{ caseId: at(2), reasons: [{ kind: 'handle', detail: at(3), strength: 1 }], strength: 1 }],
    status: 'in_review', statusReason: at(4), notes: [{ at: T, by: at(5), text: at(6) }], version: 1, detectedAt: T, updatedAt: T, runId: 'r', week: '2026-W44',
  };
  const post: Post = { _id: 'reddit:t3_x', platform: 'reddit', kind: 'submission', externalId: 't3_x', accountId: 'reddit:u/a', author: at(7), createdAt: T, week: '2026-W44', title: at(8), text: at(9), url: at(10), links: [at(11)], source: 'x', fetchedAt: T };
  return {
    ring,
    members: [
      { _id: 'reddit:u/a', platform: 'reddit', handle: at(12), displayName: at(13), score: 0.9, posts: 1, products: [at(14)], indicators: [{ name: 'burst', value: 1, score: 1, explanation: at(15) }] },
      { _id: 'reddit:u/b', platform: 'reddit', handle: at(16), score: 0.8, posts: 1, products: [], indicators: [] },
    ],
    evidence: [post],
    escalations: [{ _id: at(17), openedAt: T, week: '2026-W44', region: at(18), channel: at(19), customerId: 'c', customerHandle: at(20), text: at(21), source: 's', importedAt: T }],
    history: [{ _id: 'h', at: T, actor: at(22), action: 'ring.review', target: 'ring-1', after: { note: at(23) }, who: at(22), text: at(23) }],
    productNames: { [at(0)]: at(24), [at(14)]: at(14) },
    timeline: [{ day: '2026-11-01', posts: 1 }],
    graph: { nodes: [{ id: 'reddit:u/a', label: at(24), platform: 'reddit', score: 0.9, posts: 1 }], edges: [] } as unknown as RingReportData['graph'],
    generatedAt: T,
  };
}

describe('XSS in reports', () => {
  it('a ring report escapes attacker text in every field (60 cases)', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 25, maxLength: 25 }), (h) => {
        const html = ringReportHtml(report(h));
        // Our own page may have its script; attacker text never adds markup.
        for (const bad of [/<script>alert/i, /<img src=x/i, /<svg onload/i, /href="javascript:/i, /<\/textarea><script>/i]) expect(html).not.toMatch(bad);
        for (const s of h) if (s.startsWith('<b>') && s.length > 7) expect(html).not.toContain(s);
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});

describe('CSV injection in exports', () => {
  it('neutralises cells that a spreadsheet would run as a formula', () => {
    for (const v of ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1']) expect(String(csvSafe(v)).startsWith("'")).toBe(true);
    for (const v of ['alice', 'reddit:u/alice', 0.5, '']) expect(csvSafe(v)).toBe(v);
  });

  it('an imported account named like a formula exports inert', () => {
    const a: Account = { _id: '=cmd|/c calc!A1:x', platform: '=cmd|/c calc!A1', handle: '@SUM(1+1)', firstSeenAt: T, lastSeenAt: T };
    for (const cell of exportRow(a)) if (typeof cell === 'string' && cell) expect(cell).not.toMatch(/^[=+\-@]/);
  });
});
