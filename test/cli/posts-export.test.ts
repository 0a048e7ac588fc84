// `ringwatch posts export`: what was stored, one row per post, on the real store; CSV cells
// safe from spreadsheet formulas (post text is attacker-written), NDJSON as stored.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { exportPosts, POST_EXPORT_COLUMNS } from '../../cli/commands/posts';
import type { Post } from '../../storage/types';
import { testStore } from '../helpers/store';

const at = (iso: string) => new Date(iso);
const base = { kind: 'tweet' as const, week: '2026-W47', source: 'test', fetchedAt: at('2026-11-20T00:00:00Z') };
const POSTS: Post[] = [
  {
    ...base,
    _id: 'twitter:100',
    platform: 'twitter',
    externalId: '100',
    accountId: 'twitter:1',
    author: 'orig',
    createdAt: at('2026-11-19T10:00:00Z'),
    text: 'Kettle & lid <3, see https://t.co/x',
    url: 'https://x.com/orig/status/100',
    links: ['https://shop.example.com/dp/B0ZQX'],
  },
  {
    ...base,
    _id: 'twitter:101',
    platform: 'twitter',
    externalId: '101',
    accountId: 'twitter:2',
    author: 'fan',
    createdAt: at('2026-11-19T10:05:00Z'),
    url: 'https://x.com/fan/status/101',
    references: [{ type: 'retweeted', postId: 'twitter:100' }],
    objects: ['tweet:100'],
  },
  {
    ...base,
    _id: 'reddit:t3_evil',
    platform: 'reddit',
    kind: 'submission',
    externalId: 't3_evil',
    accountId: 'reddit:u/evil',
    author: 'evil',
    createdAt: at('2026-11-18T09:00:00Z'),
    title: '@SUM(A1)',
    text: '=HYPERLINK("http://evil.example","click")\nsecond line',
    community: 'gadgets',
    url: 'https://www.reddit.com/r/gadgets/comments/evil/',
  },
  {
    ...base,
    _id: 'twitter:5',
    platform: 'twitter',
    externalId: '5',
    accountId: 'twitter:3',
    author: 'old',
    createdAt: at('2026-10-01T00:00:00Z'),
    text: 'old news',
    deleted: true,
  },
];

async function exported(opts: Parameters<typeof exportPosts>[1]): Promise<{ n: number; text: string }> {
  const store = await testStore();
  try {
    await store.posts.upsertMany(POSTS);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const n = await exportPosts(store, opts, out);
    out.end();
    return { n, text: Buffer.concat(chunks).toString('utf8') };
  } finally {
    await store.close();
  }
}

describe('posts export', () => {
  it('CSV: one row per post with text, author, time, url, references and links; formula cells escaped', async () => {
    const { n, text } = await exported({ format: 'csv' });
    expect(n).toBe(4);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...POST_EXPORT_COLUMNS]);
    const byId = new Map(rows.map((r) => [r.post, r]));
    expect(byId.get('twitter:100')).toMatchObject({
      platform: 'twitter',
      author: 'orig',
      account: 'twitter:1',
      created_at: '2026-11-19T10:00:00.000Z',
      text: 'Kettle & lid <3, see https://t.co/x',
      url: 'https://x.com/orig/status/100',
      links: 'https://shop.example.com/dp/B0ZQX',
      references: '',
      deleted: '',
    });
    expect(byId.get('twitter:101')).toMatchObject({ text: '', references: 'retweeted:twitter:100', objects: 'tweet:100' });
    // Attacker-written cells cannot become formulas in a spreadsheet.
    expect(byId.get('reddit:t3_evil')).toMatchObject({
      title: "'@SUM(A1)",
      text: '\'=HYPERLINK("http://evil.example","click")\nsecond line',
      community: 'gadgets',
    });
    expect(byId.get('twitter:5')?.deleted).toBe('yes');
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@]/);
  }, 60_000);

  it('NDJSON with --platform and --since: the values as stored, lists as arrays', async () => {
    const { n, text } = await exported({ format: 'ndjson', platform: 'twitter', since: at('2026-11-01T00:00:00Z') });
    expect(n).toBe(2);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.post).sort()).toEqual(['twitter:100', 'twitter:101']);
    const rt = lines.find((l) => l.post === 'twitter:101');
    expect(rt).toMatchObject({
      text: null,
      references: ['retweeted:twitter:100'],
      objects: ['tweet:100'],
      links: [],
      author: 'fan',
      created_at: '2026-11-19T10:05:00.000Z',
    });
  }, 60_000);

  it('the command: checks its arguments before opening the store, writes --out with a header on an empty store', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-posts-'));
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.resolve('bin/ringwatch.mjs'), ...args], {
        encoding: 'utf8',
        cwd: dataDir,
        env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn' },
        timeout: 120_000,
      });
    const bad = run(['posts', 'export', '--format', 'xml']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--format must be csv or ndjson, got "xml"');
    expect(run(['posts', 'export', '--since', 'soon']).stderr).toContain('--since "soon" is not a date');
    const file = path.join(dataDir, 'posts.csv');
    const ok = run(['posts', 'export', '--out', file]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`0 post(s) written to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(`${POST_EXPORT_COLUMNS.join(',')}\n`);
  }, 120_000);
});
