// The replay harness's own rules, against recorded Reddit traffic over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedditReplay, startRedditReplay } from '../helpers/replay';

let replay: RedditReplay;

beforeAll(async () => {
  replay = await startRedditReplay([
    'reddit/asyncpraw/TestSubredditListings.test_new.json',
    'reddit/asyncpraw/TestMore.test_comments.json',
    'reddit/praw/TestComment.test_refresh__deleted_comment.json',
  ]);
});
afterAll(async () => {
  await replay?.close();
});

const get = async (p: string, init?: RequestInit) => {
  const res = await fetch(`${replay.baseUrl}${p}`, { headers: { authorization: 'bearer anything' }, ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe('replay harness', () => {
  it('matches on method, normalised path and data parameters, serving recorded status and rate-limit headers', async () => {
    const res = await get('/R/AskReddit/new.json/?limit=7&raw_json=0&sort=whatever');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('590.0');
    expect(res.headers.get('x-ratelimit-reset')).toBe('246');
    const body = JSON.parse(res.text);
    expect(body.data.children).toHaveLength(100);
    expect(replay.served.at(-1)).toMatchObject({ key: 'GET /r/askreddit/new', how: 'recorded' });
  });

  it('answers an unrecorded next page of a recorded listing with an empty page, anything else 501 and listed', async () => {
    const next = await get('/r/askreddit/new?after=t3_zzzzzz&limit=100');
    expect(JSON.parse(next.text).data.children).toEqual([]);
    expect(replay.served.at(-1)?.how).toBe('continuation');
    const before = replay.unmatched.length;
    const other = await get('/r/gadgets/new');
    expect(other.status).toBe(501);
    expect(replay.unmatched.slice(before)).toEqual(['GET /r/gadgets/new']);
    expect(() => replay.assertAllMatched()).toThrow(/GET \/r\/gadgets\/new/);
    replay.unmatched.length = before;
  });

  it('answers /api/info and /api/morechildren by id from the recorded things, leaving out unknown ids', async () => {
    const info = JSON.parse((await get('/api/info?id=t3_3hahrw,t1_cu5tead,t1_nope')).text);
    expect(info.data.children.map((t: { data: { name: string } }) => t.data.name)).toEqual(['t3_3hahrw', 't1_cu5tead']);
    expect(replay.platform.missing).toContain('t1_nope');
    // morechildren by POST form, as PRAW sends it, and by GET.
    const form = new URLSearchParams({ api_type: 'json', link_id: 't3_3hahrw', children: 'cu5tead,cu5tt8h' });
    const posted = JSON.parse(
      (await get('/api/morechildren', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).text,
    );
    expect(posted.json.data.things.map((t: { data: { id: string; replies: unknown } }) => [t.data.id, t.data.replies])).toEqual([
      ['cu5tead', ''],
      ['cu5tt8h', ''],
    ]);
  });

  it('answers a recorded thread continuation as recorded, and one below the recorded depth with the comment alone', async () => {
    const recorded = await get('/comments/52o2fl/_/d7ltvl0?context=100');
    expect(replay.served.at(-1)).toMatchObject({ how: 'recorded' });
    // The real answer for a deleted comment without replies: the submission, no comments.
    expect(JSON.parse(recorded.text).map((l: { data: { children: unknown[] } }) => l.data.children.length)).toEqual([1, 0]);
    const deeper = JSON.parse((await get('/comments/3hahrw/_/cu61zil')).text);
    expect(replay.served.at(-1)?.how).toBe('continuation');
    expect(deeper[0].data.children[0].data.name).toBe('t3_3hahrw');
    expect(deeper[1].data.children.map((t: { data: { name: string; replies: unknown } }) => [t.data.name, t.data.replies])).toEqual([['t1_cu61zil', '']]);
  });
});
