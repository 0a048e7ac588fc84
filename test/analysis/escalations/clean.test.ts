import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonical,
  decodeHtmlEntities,
  hashCustomerId,
  luhnValid,
  maskPii,
  normaliseText,
  parseAmount,
  parseDate,
} from '../../../importers/clean';
import { type CleaningOptions, cleanEscalationRow, cleanOrderRow, mergeEscalations } from '../../../importers/rows';

describe('text normalisation', () => {
  it('decodes entities, composes to NFC, collapses whitespace', () => {
    expect(normaliseText('  Caf\u0065\u0301 &amp; &quot;tea&quot;\t\n&#233;&#xE9;\u00a0 ok ')).toBe('Café & "tea" éé ok');
    expect(decodeHtmlEntities('&unknown; &#0; &lt;b&gt;')).toBe('&unknown; &#0; <b>');
  });
  it('is idempotent and leaves no edge or double whitespace (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = normaliseText(s);
        expect(normaliseText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s\s/);
        expect(once).toBe(once.normalize('NFC'));
      }),
    );
  });
});

describe('dates to UTC', () => {
  const iso = (v: unknown) => parseDate(v)?.toISOString() ?? null;
  it('follows the documented rules', () => {
    expect(iso('2026-03-05')).toBe('2026-03-05T00:00:00.000Z');
    expect(iso('2026-03-05T10:20:30')).toBe('2026-03-05T10:20:30.000Z');
    expect(iso('2026-03-05T10:20:30+02:00')).toBe('2026-03-05T08:20:30.000Z');
    expect(iso('2026-03-05 10:20:30-0500')).toBe('2026-03-05T15:20:30.000Z');
    expect(iso('2026-03-05T10:20:30.5Z')).toBe('2026-03-05T10:20:30.500Z');
    expect(iso('3/5/2026')).toBe('2026-03-05T00:00:00.000Z'); // month first, always
    expect(iso('03/05/26 1:07 PM')).toBe('2026-03-05T13:07:00.000Z');
    expect(iso('12/31/2025 12:00 am')).toBe('2025-12-31T00:00:00.000Z');
    expect(iso('Mar 5, 2026')).toBe('2026-03-05T00:00:00.000Z');
    expect(iso('5 March 2026 08:00')).toBe('2026-03-05T08:00:00.000Z');
    expect(iso('1772668800')).toBe('2026-03-05T00:00:00.000Z');
  });
  it('rejects impossible and ambiguous-by-rule dates', () => {
    for (const bad of ['2026-02-30', '13/01/2026', '2026-13-01', 'yesterday', '', '3/5/2026 13:00 PM', '2026-02-30T10:00:00Z']) {
      expect(parseDate(bad), bad).toBeNull();
    }
  });
  it('round-trips any instant written as ISO 8601 (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (d) => {
        expect(parseDate(d.toISOString())?.getTime()).toBe(d.getTime());
        const day = d.toISOString().slice(0, 10);
        const [y, m, dd] = day.split('-').map(Number);
        expect(parseDate(`${m}/${dd}/${y}`)?.toISOString().slice(0, 10)).toBe(day);
      }),
    );
  });
});

describe('amounts', () => {
  it('parses the common layouts', () => {
    expect(parseAmount('$1,234.50')).toEqual({ amount: 1234.5, currency: 'USD' });
    expect(parseAmount('1.234,50 €')).toEqual({ amount: 1234.5, currency: 'EUR' });
    expect(parseAmount('USD 12')).toEqual({ amount: 12, currency: 'USD' });
    expect(parseAmount('12,5')).toEqual({ amount: 12.5 });
    expect(parseAmount('1,234')).toEqual({ amount: 1234 });
    expect(parseAmount('1.234.567')).toEqual({ amount: 1234567 });
    expect(parseAmount('(£3.20)')).toEqual({ amount: -3.2, currency: 'GBP' });
    expect(parseAmount('-$5')).toEqual({ amount: -5, currency: 'USD' });
    expect(parseAmount(42)).toEqual({ amount: 42 });
    for (const bad of ['abc', '1,23,4.5', '12.', '$', '1.2.3,4,5']) expect(parseAmount(bad), bad).toBeNull();
  });
  it('reads back any cents amount written US- or EU-style (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (cents) => {
        const n = cents / 100;
        const us = n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        const de = n.toLocaleString('de-DE', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        expect(parseAmount(`$${us}`)?.amount).toBeCloseTo(n, 6);
        expect(parseAmount(`${de} €`)?.amount).toBeCloseTo(n, 6);
      }),
    );
  });
});

describe('PII masking', () => {
  it('masks e-mails, phones and Luhn-valid card numbers, keeps order ids and dates', () => {
    const r = maskPii(
      'Mail me at jane.doe+x@mail.example.co.uk or call (555) 123-4567 / +44 20 7946 0958 / 07700 900123; ' +
        'card 4111 1111 1111 1111, not 4111 1111 1111 1112; order 112-1234567-1234567 on 2026-03-05 cost 1234.50',
    );
    expect(r.text).toBe(
      'Mail me at [email] or call [phone] / [phone] / [phone]; card [card], not 4111 1111 1111 1112; order 112-1234567-1234567 on 2026-03-05 cost 1234.50',
    );
    expect(r.masked).toEqual({ email: 1, phone: 3, card: 1 });
  });
  it('no generated e-mail, phone or card survives (property)', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9._]{0,10}[a-z0-9]$/);
    const domain = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z]\.(com|org|de|co\.uk)$/);
    const email = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
    const nanp = fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
      .chain(([a, b, c]) => fc.constantFrom(`(${a}) ${b}-${String(c).padStart(4, '0')}`, `${a}-${b}-${String(c).padStart(4, '0')}`, `+1 ${a} ${b} ${String(c).padStart(4, '0')}`));
    const card = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 }).map((ds) => {
      const body = `4${ds.join('')}`.slice(0, 15);
      for (let c = 0; c <= 9; c++) if (luhnValid(body + c)) return (body + c).replace(/(\d{4})(?=\d)/g, '$1 ');
      return '';
    });
    const word = fc.constantFrom('hello', 'refund', 'please', 'order', 'now');
    fc.assert(
      fc.property(fc.array(fc.oneof(email, nanp, card, word), { minLength: 1, maxLength: 8 }), (parts) => {
        const masked = maskPii(parts.join(', ')).text;
        for (const p of parts) if (!['hello', 'refund', 'please', 'order', 'now'].includes(p)) expect(masked).not.toContain(p);
        expect(masked).not.toMatch(/@/);
        expect(masked.replace(/\D/g, '').length).toBe(0);
      }),
    );
  });
  it('hashes customer ids with a keyed HMAC', () => {
    expect(hashCustomerId('C1', 'k')).toMatch(/^h:[0-9a-f]{32}$/);
    expect(hashCustomerId('C1', 'k')).toBe(hashCustomerId('C1', 'k'));
    expect(hashCustomerId('C1', 'k')).not.toBe(hashCustomerId('C1', 'other'));
  });
});

const opts: CleaningOptions = {
  regionMap: { 'north america': 'NA', us: 'NA', europe: 'EU' },
  channelMap: { 'e-mail': 'email', email: 'email' },
  hashCustomerIds: false,
  piiMasking: true,
  source: 'test',
  importedAt: new Date('2026-01-01T00:00:00Z'),
};

describe('escalation and order rows', () => {
  it('cleans a row to canonical values', () => {
    const r = cleanEscalationRow(
      { 'Case ID': ' C-1 ', opened_at: '3/5/2026 9:00 AM', region: 'north  america', channel: 'E-Mail', customer_id: 'U1',
        text: 'Call me 555-123-4567 &amp; now', refund_amount: '$1,200.00', status: 'Resolved', resolved_at: '2026-03-06', abusive: 'yes' },
      opts,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc).toMatchObject({ _id: 'C-1', region: 'NA', channel: 'email', week: '2026-W10', text: 'Call me [phone] & now', refundAmount: 1200, status: 'resolved', abusive: true });
    expect(r.doc.openedAt.toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(canonical('EU', opts.regionMap)).toBe('EU');
  });
  it('refuses bad rows with a reason', () => {
    const base = { case_id: 'C', opened_at: '2026-01-01', region: 'us', channel: 'x', customer_id: 'U' };
    const reason = (row: Record<string, unknown>) => {
      const r = cleanEscalationRow(row, opts);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(base)).toBe('ok');
    expect(reason({ ...base, case_id: ' ' })).toMatch(/case_id is empty/);
    expect(reason({ ...base, region: 'mars' })).toMatch(/region "mars" is not in escalations.regionMap/);
    expect(reason({ ...base, opened_at: '31/12/2026' })).toMatch(/opened_at "31\/12\/2026" is not a date/);
    expect(reason({ ...base, refund_amount: 'lots' })).toMatch(/refund_amount/);
    expect(reason({ ...base, resolved_at: '2025-01-01' })).toMatch(/before opened_at/);
    expect(reason({ ...base, abusive: 'maybe' })).toMatch(/abusive/);
    const o = cleanOrderRow({ order_id: 'O1', region: 'us', ordered_at: '2026-01-05', delivered_at: '2026-01-04' }, opts);
    expect(o.ok ? 'ok' : o.reason).toMatch(/delivered_at .* before ordered_at/);
  });
  it('orders: FTDS week from delivery, first attempt inferred from attempts', () => {
    const o = cleanOrderRow({ order_id: 'O1', region: 'us', ordered_at: '2026-01-01', delivered_at: '2026-01-06', delivery_attempts: '1' }, opts);
    expect(o.ok && o.doc).toMatchObject({ week: '2026-W02', firstAttemptSuccess: true, deliveryAttempts: 1 });
  });
  it('merging duplicate cases is idempotent (property)', () => {
    const rec = fc.record({
      day: fc.integer({ min: 1, max: 28 }),
      status: fc.constantFrom(undefined, 'open', 'pending', 'resolved', 'closed'),
      refund: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
      text: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      abusive: fc.option(fc.boolean(), { nil: undefined }),
      product: fc.option(fc.constantFrom('P1', 'P2'), { nil: undefined }),
    });
    const toDoc = (r: { day: number; status?: string; refund?: number; text?: string; abusive?: boolean; product?: string }) => {
      const c = cleanEscalationRow({ case_id: 'C', opened_at: `2026-01-${String(r.day).padStart(2, '0')}`, region: 'us', channel: 'email', customer_id: 'U',
        status: r.status, refund_amount: r.refund, text: r.text, abusive: r.abusive, product: r.product }, opts);
      if (!c.ok) throw new Error(c.reason);
      return c.doc;
    };
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 5 }), (recs) => {
        const docs = recs.map(toDoc);
        const merged = docs.reduce((m, d) => mergeEscalations(m, d));
        for (const d of docs) expect(mergeEscalations(merged, d)).toEqual(merged);
        expect(merged.openedAt.getTime()).toBe(Math.min(...docs.map((d) => d.openedAt.getTime())));
      }),
    );
  });
});
