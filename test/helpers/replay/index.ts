// Replay harness: a real HTTP server on 127.0.0.1 that answers a crawler from recorded
// real API traffic (the cassettes in ../shared/replay-cassettes/, see SOURCES.md there).
//
// Matching rules
// - A request matches a recording on method, normalised path (lower case, without a
//   trailing `/` or `.json`; the host is ignored) and the data-selecting parameters, from
//   query and form together: Reddit `after before q id`, X `query next_token
//   pagination_token since_id until_id ids`. Every other parameter (limit, sort, raw_json,
//   fields…) is ignored. A key recorded several times is answered in recorded order, then
//   with its last answer again.
// - Endpoints that return what a client asks for by id (Reddit /api/info and
//   /api/morechildren) are answered from every thing the loaded recordings hold; ids no
//   recording holds are left out (as the real API does) and listed in `platform.missing`.
// - An unrecorded continuation of a recorded request (a listing page after the recorded
//   ones; a Reddit "continue this thread" link below the recorded depth) gets an empty
//   answer, marked `continuation` in `served`.
// - Anything else is answered 501 and listed in `unmatched`; `assertAllMatched()` fails
//   the test. A test may declare answers of its own (`declared`: a 403 for a private
//   post, a slow answer), which are marked `declared`.
// - Recorded status and headers are served as recorded (rate-limit headers included);
//   connection headers are not. Credentials were redacted: any token is accepted.
//
// Loaders turn a cassette file into Recording[] (recording.ts): betamax JSON here
// (betamax.ts); other formats go in files of their own beside it, platforms likewise
// (reddit.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBetamax } from './betamax';
import type { Recording } from './recording';
import { type RedditReplayPlatform, redditPlatform } from './reddit';
import { type ReplayOptions, type ReplayServer, startReplay } from './server';

export { loadBetamax } from './betamax';
export * from './recording';
export { recordedThings, redditPlatform } from './reddit';
export * from './server';

/** The cassette directory: $RINGWATCH_CASSETTES, else shared/replay-cassettes beside the checkout. */
export function cassetteDir(): string {
  const env = process.env.RINGWATCH_CASSETTES;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repo = path.resolve(here, '../../..');
  const candidates = env ? [env] : [path.resolve(repo, '../shared/replay-cassettes'), path.resolve(repo, '../../shared/replay-cassettes')];
  const found = candidates.find((c) => existsSync(path.join(c, 'SOURCES.md')));
  if (!found) throw new Error(`replay cassettes not found (looked in ${candidates.join(', ')}); set RINGWATCH_CASSETTES`);
  return found;
}

/** A cassette file by its path under the cassette directory ("reddit/asyncpraw/TestMore.test_comments.json"). */
export function cassette(rel: string): string {
  const file = path.join(cassetteDir(), rel);
  if (!existsSync(file)) throw new Error(`no cassette ${file}`);
  return file;
}

export interface RedditReplay extends ReplayServer {
  platform: RedditReplayPlatform;
  recordings: Recording[];
}

/** A replay server for these Reddit cassettes (paths under the cassette directory), all answering at once. */
export async function startRedditReplay(files: string[], opts: Omit<ReplayOptions, 'platform' | 'recordings'> = {}): Promise<RedditReplay> {
  const recordings = files.flatMap((f) => loadBetamax(cassette(f)));
  const platform = redditPlatform();
  const server = await startReplay({ ...opts, platform, recordings });
  return Object.assign(server, { platform, recordings });
}
