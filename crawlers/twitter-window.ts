// Where a recent-search pass starts. X's recent search reaches 7 days back, and answers 400
// ("'since_id' must be a tweet id created after …") to a since_id older than that. A
// since_id only ages out when no pass completed for 7 days: every completed pass moves it
// to at least the moment the pass started (a tweet id is a snowflake, so a moment has an
// id), found it anything or not. When it has aged out anyway, the pass restarts from the
// oldest moment recent search still holds, and says which stretch it could not reach.
import type { CrawlState } from '../storage/types';
import { snowflakeAt, snowflakeTime } from './twitter-posts';

/** How far back recent search reaches (X API v2 documentation). */
export const RECENT_SEARCH_DAYS = 7;
/** Kept inside the 7 days: X counts from its own clock, and a pass takes time. */
const FLOOR_MARGIN_MS = 10 * 60_000;
/** A pass's start is covered only this long before it: search indexes a tweet a few seconds after it is posted. */
export const INDEX_DELAY_MS = 2 * 60_000;

export function recentSearchFloor(now: number): number {
  return now - RECENT_SEARCH_DAYS * 86_400_000 + FLOOR_MARGIN_MS;
}

export interface SearchStart {
  /** The since_id to send (bare tweet id), or none. */
  sinceId?: string;
  /** start_time to send instead (epoch ms), when the since_id aged out. */
  startTime?: number;
  /** Set when the 7-day limit forced a restart: what it means for the data. */
  notice?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The lower bound of a search pass that starts at `now` on X's clock with this saved cursor.
 * Before X's clock is known (`now` undefined) the since_id goes as it is: an aged-out one
 * gets X's 400, and the restart follows from that (restartAfterRefusal).
 */
export function searchStart(state: CrawlState | null, now: number | undefined, label: string): SearchStart {
  const sinceId = state?.sinceId ? state.sinceId.replace(/^twitter:/, '') : undefined;
  if (!sinceId || now === undefined) return sinceId ? { sinceId } : {};
  const sinceAt = snowflakeTime(sinceId);
  const floor = recentSearchFloor(now);
  if (sinceAt === undefined || sinceAt >= floor) return { sinceId };
  return { startTime: floor, notice: gapNotice(label, sinceAt, floor) };
}

/** The restart after X refused a since_id as too old; `after` is the moment X named, if it did. */
export function restartAfterRefusal(label: string, sinceId: string | undefined, now: number, after?: number): SearchStart {
  const floor = Math.max(recentSearchFloor(now), after !== undefined ? after + FLOOR_MARGIN_MS : -Infinity);
  const sinceAt = sinceId ? snowflakeTime(sinceId) : undefined;
  return { startTime: floor, notice: gapNotice(label, sinceAt, floor) };
}

function gapNotice(label: string, from: number | undefined, floor: number): string {
  return `${label}: the saved since_id is older than X's ${RECENT_SEARCH_DAYS}-day recent search, so the pass restarted from ${iso(floor)}; tweets ${from !== undefined ? `from ${iso(from)} ` : ''}up to then could not be fetched`;
}

/** The moment X names in its 400 for an aged-out since_id ("… created after 2022-10-01T10:00:00Z"). */
export function refusedSinceMoment(detail: string): number | undefined {
  const m = /since_id[^"]*?created after (\d{4}-\d\d-\d\dT[\d:.]+Z)/i.exec(detail);
  const t = m ? Date.parse(m[1]) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** The since_id a completed pass leaves: the newest tweet seen or the pass's start (less the index delay), whichever is later. */
export function sinceAfterPass(sinceId: string | null | undefined, passStartedAt: number | undefined): string | null {
  const seen = sinceId ? sinceId.replace(/^twitter:/, '') : undefined;
  if (passStartedAt === undefined) return sinceId ?? null;
  const moment = snowflakeAt(passStartedAt - INDEX_DELAY_MS);
  if (seen && /^\d+$/.test(seen) && BigInt(seen) >= BigInt(moment)) return sinceId ?? null;
  return `twitter:${moment}`;
}
