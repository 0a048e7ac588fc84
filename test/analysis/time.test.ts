// The one date reader every surface uses (CLI options, API parameters, job params).
import { describe, expect, it } from 'vitest';
import { toDate } from '../../analysis/time';

class BadRequest extends Error {}

describe('toDate', () => {
  it('reads ISO dates and date-times, passes Dates and undefined through', () => {
    expect(toDate('2026-11-20', 'since').toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(toDate('2026-11-20T10:00:00+02:00', 'since').toISOString()).toBe('2026-11-20T08:00:00.000Z');
    const d = new Date(0);
    expect(toDate(d, 'since')).toBe(d);
    expect(toDate(undefined, 'since')).toBeUndefined();
  });

  it('refuses anything else with the parameter, its text and an example, as the caller\'s error', () => {
    expect(() => toDate('2026-13-01', '--since')).toThrow('--since "2026-13-01" is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)');
    expect(() => toDate('yesterday', 'until', BadRequest)).toThrow(BadRequest);
    expect(() => toDate(new Date(Number.NaN), 'until')).toThrow('until "Invalid Date" is not a date');
  });
});
