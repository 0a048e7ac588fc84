// Newest-first passes over a listing, resumable at any page. A pass starts at the top
// (no cursor), remembers the newest item it saw, and ends at the end of the listing or at
// the newest item of the previous completed pass (the boundary): incremental crawls stop
// at already-seen items. The cursor saved after each stored page lets a killed crawl go
// on where it stopped; the boundary only moves when a pass completes, so a resumed pass
// still reaches everything between its cursor and the old boundary.
import type { CrawlState } from '../storage/types';
import type { UnitCursor } from './source';

export interface PassItem {
  id: string;
  createdAt: Date;
}

export interface PassStep<T extends PassItem> {
  /** Items newer than the boundary (to store). */
  keep: T[];
  /** True when the pass ends with this page. */
  done: boolean;
  cursor: UnitCursor;
}

/**
 * One page of a pass. `next` is the listing's cursor for the following page (null at
 * the end). Items are newest first.
 */
export function passStep<T extends PassItem>(
  unit: string,
  source: string,
  state: CrawlState | null,
  items: T[],
  next: string | null,
  field: 'after' | 'nextToken' = 'after',
): PassStep<T> {
  const sinceId = state?.sinceId ?? null;
  const boundaryAt = state?.lastCreatedAt ? new Date(state.lastCreatedAt).getTime() : null;
  const starting = (state?.[field] ?? null) === null;
  let passNewestId = starting ? null : (state?.newestId ?? null);
  let passNewestAt = starting ? null : ((state?.extra?.passNewestAt as number | null | undefined) ?? null);
  const keep: T[] = [];
  let reachedBoundary = false;
  for (const item of items) {
    const t = item.createdAt.getTime();
    if ((sinceId !== null && item.id === sinceId) || (boundaryAt !== null && t < boundaryAt)) {
      reachedBoundary = true;
      break;
    }
    keep.push(item);
  }
  for (const item of keep) {
    const t = item.createdAt.getTime();
    if (passNewestAt === null || t > passNewestAt) {
      passNewestAt = t;
      passNewestId = item.id;
    }
  }
  const done = reachedBoundary || next === null || items.length === 0;
  const base = { _id: unit, source, extra: { ...(state?.extra ?? {}) } };
  if (done) {
    const newer = passNewestAt !== null && (boundaryAt === null || passNewestAt >= boundaryAt);
    return {
      keep,
      done,
      cursor: {
        ...base,
        [field]: null,
        newestId: null,
        sinceId: newer ? passNewestId : sinceId,
        lastCreatedAt: newer ? new Date(passNewestAt as number) : (state?.lastCreatedAt ?? null),
        backfillDone: true,
        extra: { ...base.extra, passNewestAt: null },
      },
    };
  }
  return {
    keep,
    done,
    cursor: {
      ...base,
      [field]: next,
      newestId: passNewestId,
      sinceId,
      lastCreatedAt: state?.lastCreatedAt ?? null,
      backfillDone: state?.backfillDone ?? false,
      extra: { ...base.extra, passNewestAt },
    },
  };
}

/** The state as it will be after a cursor is saved (so a source can go on in memory). */
export function applyCursor(cursor: UnitCursor): CrawlState {
  return { ...cursor, updatedAt: new Date() };
}
