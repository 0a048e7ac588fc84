// X recent search through the word index answers exactly what a scan of every tweet
// answers: random word, phrase, OR and negation queries, paged to the end over HTTP,
// before and after tweets are published and deleted.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, normalise, parseQuery } from '../../sim/query';
import { cmpId, firstOlderThan } from '../../sim/search-index';
import { type Simulator, startSimulator } from '../../sim/server';
import { DEFAULT_TWITTER_APPS } from '../../sim/twitter';
import { generateWorld, type Tweet } from '../../sim/world';

const world = generateWorld({ seed: 3, scale: 'small' });
const BEARER = DEFAULT_TWITTER_APPS[0].bearerToken;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ world, rateLimits: { twitter: { limit: 1_000_000 } }, twitter: { recentSearchDays: null } });
});
afterAll(() => sim?.close());

/** Every match by a scan of the whole pool, newest first. */
function scan(query: string): string[] {
  const node = parseQuery(query);
  return world.twitter.tweets
    .filter((t) => !t.deleted && evaluate(node, normalise(t.text), () => false))
    .sort((a, b) => cmpId(b.id, a.id))
    .map((t) => t.id);
}

async function search(query: string, max: number): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const u = new URL('tweets/search/recent', sim.twitter.baseUrl);
    u.searchParams.set('query', query);
    u.searchParams.set('max_results', String(max));
    if (next) u.searchParams.set('next_token', next);
    const res = await fetch(u, { headers: { authorization: `Bearer ${BEARER}` } });
    const body = (await res.json()) as { data?: { id: string }[]; meta: { next_token?: string } };
    for (const t of body.data ?? []) ids.push(t.id);
    next = body.meta.next_token;
  } while (next);
  return ids;
}

// Words as the tweets have them, common and rare, plus one no tweet has.
const counts = new Map<string, number>();
for (const t of world.twitter.tweets) for (const w of new Set(normalise(t.text).trim().split(' '))) counts.set(w, (counts.get(w) ?? 0) + 1);
const vocabulary = [...counts.keys()].filter((w) => /^[a-z]+$/.test(w) && w !== 'or').sort();
const word = fc.oneof(fc.constantFrom(...vocabulary), fc.constant('zzqqxnone'));
const query = fc.oneof(
  word,
  fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
  fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`),
  fc.tuple(word, word).map(([a, b]) => `${a} OR ${b}`),
  fc.tuple(word, word, word).map(([a, b, c]) => `(${a} OR ${b}) ${c}`),
  fc.tuple(word, word).map(([a, b]) => `${a} -${b}`),
  word.map((a) => `-${a}`),
);

describe('X search word index', () => {
  it('pages exactly the tweets a full scan finds, newest first, each once', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom(10, 37, 100), async (q, max) => {
        expect(await search(q, max)).toEqual(scan(q));
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('stays exact as tweets are published and deleted', async () => {
    const common = vocabulary.reduce((a, b) => ((counts.get(b) ?? 0) > (counts.get(a) ?? 0) ? b : a));
    await search(common, 100);
    const author = world.twitter.users[0].id;
    const added = sim.twitter.sim.addTweet({ authorId: author, text: `fresh ${common} news` });
    const victim = scan(common)[5];
    sim.twitter.sim.deleteTweet(victim);
    const found = await search(common, 50);
    expect(found[0]).toBe(added.id);
    expect(found).not.toContain(victim);
    expect(found).toEqual(scan(common));
    expect(await search('fresh news', 10)).toEqual(scan('fresh news'));
  });

  it('finds where a cursor falls in a newest-first list', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(10_000), { maxLength: 50 }), fc.nat(10_001), (ns, cut) => {
        const list = ns.sort((a, b) => b - a).map((n) => ({ id: String(n) }) as Tweet);
        const i = firstOlderThan(list, String(cut));
        expect(list.slice(0, i).every((t) => Number(t.id) >= cut)).toBe(true);
        expect(list.slice(i).every((t) => Number(t.id) < cut)).toBe(true);
      }),
    );
  });
});
