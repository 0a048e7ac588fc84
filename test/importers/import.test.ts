import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { type ImportParams, importJob, runImportJob } from '../../jobs/import';
import { runJob } from '../../jobs/runner';
import type { Escalation } from '../../storage/types';
import { testStore } from '../helpers/store';
import { jobContext, startPostgres } from './helpers';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-import-'));
const HEADER = 'case_id,opened_at,region,channel,customer_id,customer_handle,order_id,product,category,text,refund_amount,status,resolved_at,abusive';
const GOOD = [
  'CS-1,2026-03-02T10:00:00Z,NA-East,E-mail,C1,@jane,111-1234567-1234567,B0AAAAAAAA,Audio,"Never arrived. Mail jane@example.com or call 555-123-4567",$49.99,open,,false',
  'CS-2,3/3/2026 9:30 AM,uk,chat,C2,bob,,B0BBBBBBBB,Home,"Broken &amp; late, card 4111 1111 1111 1111","1.234,50 €",Resolved,2026-03-05,yes',
  'CS-3,2026-03-04,APAC,phone,C1,@jane,,B0AAAAAAAA,Audio,"multi',
  'line text",0,closed,2026-03-04T12:00:00Z,0',
];
const BAD = [
  'CS-4,2026-13-01,UK,chat,C3,x,,,,,1,open,,false', // line 6: bad date
  'CS-5,2026-03-04,Mars,chat,C3,x,,,,,1,open,,false', // line 7: unknown region
  ',2026-03-04,UK,chat,C3,x,,,,,1,open,,false', // line 8: no id
  'CS-6,2026-03-04,UK,chat', // line 9: field count
];

function writeCsv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${[HEADER, ...lines].join('\n')}\n`);
  return file;
}

describe('escalation import from CSV', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => store?.close());

  it('imports good rows, reports bad ones by line with a rejects file, and is idempotent', async () => {
    const file = writeCsv('cases.csv', [...GOOD.slice(0, 2), BAD[0], ...GOOD.slice(2), BAD[1], BAD[2], BAD[3], GOOD[0]]);
    const ctx = jobContext(store);
    const first = await runImportJob(ctx, { what: 'escalations', file });
    expect(first).toMatchObject({ read: 8, imported: 3, updated: 0, unchanged: 0, rejected: 4, duplicates: 1 });
    const rejects = parse(readFileSync(first.rejectsFile as string), { columns: true }) as { line: string; reason: string; record: string }[];
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      ['4', 'opened_at "2026-13-01" is not a date (ISO 8601, YYYY-MM-DD, M/D/YYYY)'],
      ['7', 'region "Mars" is not in escalations.regionMap'],
      ['8', 'case_id is empty'],
      ['9', 'has 4 fields, header has 14'],
    ]);
    expect(rejects[0].record).toContain('CS-4');

    const cases = await store.escalations.find({}, { sort: { _id: 1 } });
    expect(cases.map((c) => c._id)).toEqual(['CS-1', 'CS-2', 'CS-3']);
    const [c1, c2, c3] = cases;
    expect(c1).toMatchObject({ region: 'NA-East', channel: 'email', refundAmount: 49.99, customerHandle: '@jane', abusive: false, week: '2026-W10' });
    expect(c2).toMatchObject({ region: 'UK', refundAmount: 1234.5, status: 'resolved', abusive: true, text: 'Broken & late, card [card]' });
    expect(c2.openedAt.toISOString()).toBe('2026-03-03T09:30:00.000Z');
    expect(c3.text).toBe('multi line text');
    // No e-mail or phone number survives into the store.
    for (const c of cases) {
      expect(c.text ?? '').not.toMatch(/@|555-123-4567|4111/);
    }

    const again = await runImportJob(ctx, { what: 'escalations', file });
    expect(again).toMatchObject({ read: 8, imported: 0, updated: 0, unchanged: 3, rejected: 4 });
    const after = await store.escalations.find({}, { sort: { _id: 1 } });
    expect(after.map((c) => c.importedAt.getTime())).toEqual(cases.map((c) => c.importedAt.getTime()));

    // A changed row updates only that case.
    const changed = writeCsv('cases2.csv', [GOOD[0].replace(',open,', ',resolved,').replace(',,false', ',2026-03-09,false')]);
    const third = await runImportJob(ctx, { what: 'escalations', file: changed });
    expect(third).toMatchObject({ imported: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect(existsSync(`${changed}.rejects.csv`)).toBe(false);
    expect((await store.escalations.get('CS-1'))?.status).toBe('resolved');
  });

  it('imports NDJSON orders and reviews with their authors', async () => {
    const orders = path.join(dir, 'orders.ndjson');
    writeFileSync(orders, [
      JSON.stringify({ order_id: 'O1', region: 'NA-East', ordered_at: '2026-03-01', delivered_at: '2026-03-03T10:00:00Z', delivery_attempts: 1, first_attempt_success: true }),
      '{not json',
      JSON.stringify({ order_id: 'O2', region: 'UK', ordered_at: '2026-03-01', delivery_attempts: 'two' }),
      '',
      JSON.stringify({ order_id: 'O3', region: 'UK', ordered_at: '2026-03-01' }),
    ].join('\n'));
    const ctx = jobContext(store);
    const r = await runImportJob(ctx, { what: 'orders', file: orders });
    expect(r).toMatchObject({ read: 4, imported: 2, rejected: 2 });
    expect(await store.orders.get('O1')).toMatchObject({ firstAttemptSuccess: true, week: '2026-W10' });

    const reviews = path.join(dir, 'shop-reviews.csv');
    writeFileSync(reviews, 'author,product,created_at,rating,text\nann,B0AAAAAAAA,2026-03-01,5,Great\nann,B0BBBBBBBB,2026-03-04,4/5,\nbob,B0AAAAAAAA,2026-03-02,9,Nope\n');
    const rv = await runImportJob(ctx, { what: 'reviews', file: reviews });
    expect(rv).toMatchObject({ read: 3, imported: 2, rejected: 1 });
    const posts = await store.posts.find({ source: 'import:shop-reviews' });
    expect(posts).toHaveLength(2);
    expect(posts.every((p) => p._id.startsWith('import:shop-reviews:') && p.accountId === 'shop-reviews:ann')).toBe(true);
    const ann = await store.accounts.get('shop-reviews:ann');
    expect(ann?.firstSeenAt.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(ann?.lastSeenAt.toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(await runImportJob(ctx, { what: 'reviews', file: reviews })).toMatchObject({ imported: 0, updated: 0, unchanged: 2 });
  });

  it('refuses the same reviews from a renamed file before writing, naming the source that updates them', async () => {
    const reviewRows = (n: number, from = 0) => [
      'id,platform,author,product,rating,created_at',
      ...Array.from({ length: n }, (_, i) => `c${from + i},yelp,u${(from + i) % 7},p${(from + i) % 3},${1 + ((from + i) % 5)},2014-0${1 + ((from + i) % 9)}-1${(from + i) % 10}`),
    ];
    const reviewFile = (name: string, lines: string[]) => {
      const file = path.join(dir, name);
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    const run = (params: Omit<ImportParams, 'what'>, runId: string) => runJob(store, store.config, importJob, { what: 'reviews', ...params }, { trigger: 'cli', log: pino({ level: 'silent' }), runId });
    const before = await store.posts.count({});
    expect(await run({ file: reviewFile('reviews-2014.csv', reviewRows(300)) }, 'copies-first')).toMatchObject({ imported: 300 });
    const sample = reviewFile('sample.csv', reviewRows(40));
    await expect(run({ file: sample }, 'copies-refused')).rejects.toThrow(
      /40 of the first 40 reviews are stored already under source "reviews-2014" .*Nothing was imported\. Re-run with --source reviews-2014 to update them, or add --allow-copies/,
    );
    expect(await store.posts.count({})).toBe(before + 300);
    // Under the earlier source: the same posts, unchanged; new reviews in a new file are no copies; asked for, copies are stored.
    expect(await run({ file: sample, source: 'reviews-2014' }, 'copies-same')).toMatchObject({ imported: 0, unchanged: 40 });
    expect(await run({ file: reviewFile('later.csv', reviewRows(20, 1000)) }, 'copies-new')).toMatchObject({ imported: 20 });
    expect(await run({ file: sample, allowCopies: true }, 'copies-allowed')).toMatchObject({ imported: 40 });
    expect(await store.posts.count({})).toBe(before + 360);
  });
});

describe('escalation import from PostgreSQL', () => {
  let url: string;
  let table: string;
  let csvStore: Awaited<ReturnType<typeof testStore>>;
  let sqlStore: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    url = startPostgres();
    table = `esc_${process.pid}_${Date.now()}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create table ${table} (case_id text, opened_at timestamp, region text, channel text, customer_id text, customer_handle text,
      order_id text, product text, category text, text text, refund_amount numeric(10,2), status text, resolved_at timestamptz, abusive boolean)`);
    await client.query(`insert into ${table} values
      ('CS-1','2026-03-02 10:00:00','NA-East','E-mail','C1','@jane','111-1234567-1234567','B0AAAAAAAA','Audio','Never arrived. Mail jane@example.com or call 555-123-4567',49.99,'open',null,false),
      ('CS-2','2026-03-03 09:30:00','uk','chat','C2','bob',null,'B0BBBBBBBB','Home','Broken &amp; late, card 4111 1111 1111 1111',1234.50,'Resolved','2026-03-05T00:00:00Z',true),
      ('CS-3','2026-03-04 00:00:00','APAC','phone','C1','@jane',null,'B0AAAAAAAA','Audio','multi
line text',0,'closed','2026-03-04T12:00:00Z',false),
      ('CS-5','2026-03-04 00:00:00','Mars','chat','C3','x',null,null,null,null,1,'open',null,false)`);
    await client.end();
    csvStore = await testStore();
    sqlStore = await testStore();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop table if exists ${table}`);
    await client.end();
    await csvStore?.close();
    await sqlStore?.close();
  });

  it('gives the same cases as the CSV import, streams through a cursor, reports bad rows', async () => {
    const file = writeCsv('same.csv', [...GOOD, BAD[1]]);
    const fromCsv = await runImportJob(jobContext(csvStore), { what: 'escalations', file });
    const fromSql = await runImportJob(jobContext(sqlStore, 'sql-run'), { what: 'escalations', sql: url, query: `select * from ${table} order by case_id`, batchSize: 2 });
    expect(fromSql).toMatchObject({ read: 4, imported: 3, rejected: 1 });
    expect(fromCsv).toMatchObject({ imported: 3, rejected: 1 });
    const strip = (cs: Escalation[]) => cs.map(({ importedAt, source, ...rest }) => rest);
    expect(strip(await sqlStore.escalations.find({}, { sort: { _id: 1 } }))).toEqual(strip(await csvStore.escalations.find({}, { sort: { _id: 1 } })));
    const rejects = readFileSync(fromSql.rejectsFile as string, 'utf8');
    expect(rejects).toContain('region ""Mars"" is not in escalations.regionMap');
    expect(await runImportJob(jobContext(sqlStore, 'sql-run-2'), { what: 'escalations', sql: url, query: `select * from ${table}` })).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
  });
});
