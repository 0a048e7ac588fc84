// Timestamp resolution of a source: the coarsest unit its times are all aligned to.
// Review exports often carry dates only ("2014-12-08"), crawled posts carry seconds.
// Detection must not read more into a time than the source put there:
//   - at day resolution two reviews on the same date are simultaneous (0 apart), one on
//     the next date is 1 day later, and nothing finer can be told;
//   - ranks of early reviews treat equal times as ties, never as an order by id;
//   - burst windows are at least one unit wide.
//
//   resolution(times) = the largest u in UNITS such that every t ≡ t₀ (mod u)
//
// "≡ t₀" rather than "≡ 0" so that dates exported at local midnight (a constant UTC
// offset) are still recognised as days.
export const UNITS_MS = [86_400_000, 3_600_000, 60_000, 1_000, 1] as const;

/** Coarsest unit (ms) all `times` (epoch ms) share; 1 ms when none, or for an empty list. */
export function timeResolution(times: Iterable<number>): number {
  const scan = new ResolutionScan();
  for (const t of times) scan.add(t);
  return scan.resolution();
}

/** Resolution per platform (a source's times share one export format). */
export function resolutionsBy<T>(items: readonly T[], keyOf: (x: T) => string, timeOf: (x: T) => number): Map<string, number> {
  // timeResolution per group in one pass over the items, without collecting each group's times.
  const groups = new Map<string, ResolutionScan>();
  for (const x of items) {
    const k = keyOf(x);
    let scan = groups.get(k);
    if (!scan) {
      scan = new ResolutionScan();
      groups.set(k, scan);
    }
    scan.add(timeOf(x));
  }
  const out = new Map<string, number>();
  for (const [k, scan] of groups) out.set(k, scan.resolution());
  return out;
}

/** timeResolution fed one time at a time. */
class ResolutionScan {
  private candidates: number[] = [...UNITS_MS];
  private first: number | undefined;
  private distinct = false;

  add(t: number): void {
    if (this.first === undefined) {
      this.first = t;
      return;
    }
    if (this.candidates.length === 1) return;
    const d = t - this.first;
    if (d === 0) return;
    this.distinct = true;
    // Each unit divides the coarser ones: when the coarsest left divides d, all do.
    if (d % this.candidates[0] !== 0) this.candidates = this.candidates.filter((u) => d % u === 0);
  }

  resolution(): number {
    // One distinct time says nothing about its unit: keep the finest, which claims nothing.
    return this.distinct ? this.candidates[0] : 1;
  }
}

/** The time as the source can tell it: floored to its resolution (relative to nothing finer). */
export function atResolution(t: number, resolutionMs: number): number {
  return resolutionMs <= 1 ? t : Math.floor(t / resolutionMs) * resolutionMs;
}

export function describeResolution(ms: number): string {
  if (ms >= 86_400_000) return 'day';
  if (ms >= 3_600_000) return 'hour';
  if (ms >= 60_000) return 'minute';
  if (ms >= 1_000) return 'second';
  return 'millisecond';
}
