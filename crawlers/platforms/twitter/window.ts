// Where a recent-search pass starts. X's recent search reaches 7 days back, and answers 400
// ("'since_id' must be a tweet id created after …") to a since_id older than that. A
// since_id only ages out when no pass completed for 7 days: every completed pass moves it
// to at least the moment the pass started (a tweet id is a snowflake, so a moment has an
// id), found it anything or not. When it has aged out anyway, the pass restarts from the
// oldest moment recent search still holds, and says which stretch it could not reach.
import type { CrawlState } from '../../../storage/types';
import { snowflakeAt, snowflakeTime } from './posts';

/** How far back recent search reaches (X API v2 documentation). */
export const RECENT_SEARCH_DAYS = 7;
/**
 * A restarted pass starts this far inside the 7 days, so that its start_time stays valid
 * while the pass runs (at 450 requests per 15 minutes, an hour is ~1,700 pages); a saved
 * bound counts as aged out only once it is within CHECK_MARGIN_MS of the limit (X counts
 * from its own clock, known to about a second).
 */
const FLOOR_MARGIN_MS = 60 * 60_000;
const CHECK_MARGIN_MS = 60_000;
/** A pass's start is covered only this long before it: search indexes a tweet a few seconds after it is posted. */
export const INDEX_DELAY_MS = 2 * 60_000;

/** Where a restarted pass starts. */
export function recentSearchFloor(now: number): number {
  return now - RECENT_SEARCH_DAYS * 86_400_000 + FLOOR_MARGIN_MS;
}

/** Whether a bound at `t` is still inside recent search at `now`. */
function reachable(t: number, now: number): boolean {
  return t >= now - RECENT_SEARCH_DAYS * 86_400_000 + CHECK_MARGIN_MS;
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
 * The lower bound of a search page at `now` on X's clock with this saved cursor: the
 * start_time of a pass that already restarted (`extra.passStartTime`), else the since_id.
 * Either is replaced by the 7-day floor once it is older (`notice` says so; a pass in
 * progress then starts again from the top). Before X's clock is known (`now` undefined) the
 * bound goes as it is: an aged-out one gets X's 400, and restartAfterRefusal follows.
 */
export function searchStart(state: CrawlState | null, now: number | undefined, label: string): SearchStart {
  const saved = state?.extra?.passStartTime;
  const sinceId = state?.sinceId ? state.sinceId.replace(/^twitter:/, '') : undefined;
  if (typeof saved === 'number') {
    if (now === undefined || reachable(saved, now)) return { startTime: saved };
    return { startTime: recentSearchFloor(now), notice: gapNotice(label, 'start_time of the interrupted pass', saved, recentSearchFloor(now)) };
  }
  if (!sinceId || now === undefined) return sinceId ? { sinceId } : {};
  const sinceAt = snowflakeTime(sinceId);
  if (sinceAt === undefined || reachable(sinceAt, now)) return { sinceId };
  return { startTime: recentSearchFloor(now), notice: gapNotice(label, 'since_id', sinceAt, recentSearchFloor(now)) };
}

/** The restart after X refused the bound as too old; `after` is the moment X named, if it did. */
export function restartAfterRefusal(label: string, bound: SearchStart, now: number, after?: number): SearchStart {
  // X's own moment, when it names one, plus the margin: X's clock is then the one that counts.
  const floor = after !== undefined ? after + FLOOR_MARGIN_MS : recentSearchFloor(now);
  const from = bound.startTime ?? (bound.sinceId ? snowflakeTime(bound.sinceId) : undefined);
  return { startTime: floor, notice: gapNotice(label, bound.startTime !== undefined ? 'start_time of the interrupted pass' : 'since_id', from, floor) };
}

function gapNotice(label: string, what: string, from: number | undefined, floor: number): string {
  return `${label}: the saved ${what} is older than X's ${RECENT_SEARCH_DAYS}-day recent search, so the pass restarted from ${iso(floor)}; tweets ${from !== undefined ? `from ${iso(from)} ` : ''}up to then could not be fetched`;
}

/** The moment X names in its 400 for an aged-out bound ("… created after 2022-10-01T10:00:00Z", "… on or after …"). */
export function refusedBoundMoment(detail: string): number | undefined {
  const m = /(?:since_id|start_time)[^"]*?(?:created after|on or after) (\d{4}-\d\d-\d\dT[\d:.]+Z)/i.exec(detail);
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
