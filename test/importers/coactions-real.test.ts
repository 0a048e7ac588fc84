// End to end on real co-action data: six hours of the german-elections-2021 set (read
// from ../shared, never copied into the repository) imported with `import coactions` and
// detected. Reference: the accounts a toolkit-style co-link network holds on the same
// rows (pairs sharing one object within 10 s on ≥ 2 occasions), computed here directly.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rocAuc } from '../../analysis/metrics';
import { parse } from 'csv-parse/sync';
import { detectRings } from '../../analysis/rings/detect';
import { cleanCoactionRow, mergeShares, resolveColumns } from '../../importers/coactions';
import { runDetect } from '../../jobs/detect';
import type { Post } from '../../storage/types';
import { runImportJob } from '../../jobs/import';
import { datasetPath } from '../helpers/datasets';
import { testStore } from '../helpers/store';
import { jobContext } from './helpers';

const SOURCE = datasetPath('german-elections-2021/posts.csv.gz');
// 2021-09-24 16:00–22:00 UTC (two days before the election): 3,232 rows.
const FROM = 1632499200;
const TO = FROM + 6 * 3600;
const OBJECT_COLUMNS = ['url_id', 'hashtag_id', 'domain_id', 'phash_id'];

/** Accounts in pairs that shared one object within 10 s on at least two occasions (post pairs). */
function referenceAccounts(lines: string[]): Set<string> {
  const header = lines[0].split(',');
  const col = (n: string) => header.indexOf(n);
  const byObject = new Map<string, { t: number; a: string; p: string }[]>();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (!f[col('post_id')]) continue;
    for (const c of OBJECT_COLUMNS) {
      const id = f[col(c)];
      if (!id) continue;
      const list = byObject.get(`${c}:${id}`) ?? [];
      list.push({ t: Number(f[col('timestamp')]), a: f[col('account_id')], p: f[col('post_id')] });
      byObject.set(`${c}:${id}`, list);
    }
  }
  const occasions = new Map<string, Set<string>>();
  for (const list of byObject.values()) {
    list.sort((x, y) => x.t - y.t);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j].t - list[i].t <= 10; j++) {
        if (list[i].a === list[j].a) continue;
        const [x, y] = list[i].a < list[j].a ? [list[i], list[j]] : [list[j], list[i]];
        const key = `${x.a} ${y.a}`;
        const s = occasions.get(key) ?? new Set<string>();
        s.add(`${x.p} ${y.p}`);
        occasions.set(key, s);
      }
    }
  }
  const out = new Set<string>();
  for (const [pair, s] of occasions) if (s.size >= 2) for (const a of pair.split(' ')) out.add(a);
  return out;
}

describe.skipIf(!SOURCE)('import coactions + detect on a real german-elections-2021 sample', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  let lines: string[];
  let file: string;
  beforeAll(async () => {
    store = await testStore();
    const all = gunzipSync(readFileSync(SOURCE as string)).toString('utf8').split('\n');
    const tCol = all[0].split(',').indexOf('timestamp');
    lines = [all[0], ...all.slice(1).filter((l) => {
      const t = Number(l.split(',')[tCol]);
      return t >= FROM && t < TO;
    })];
    file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ringwatch-german-')), 'german-sample.csv.gz');
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
  });
  afterAll(async () => store?.close());

  it('imports every row and finds the co-sharing accounts with the shared objects as evidence', async () => {
    const ctx = jobContext(store);
    const imported = await runImportJob(ctx, { what: 'coactions', file, source: 'german' });
    expect(imported.read).toBe(lines.length - 1);
    expect(imported.rejected).toBe(0);

    const stats = await runDetect(ctx, { all: true });
    expect(stats.posts).toBe(imported.imported);
    const rings = await store.rings.find({});
    expect(rings.length).toBeGreaterThan(0);
    for (const r of rings) {
      const objects = r.indicators.find((i) => i.name === 'co_shared_objects');
      expect(objects?.value).toBeGreaterThan(0);
      expect(objects?.explanation).toMatch(/(url|hashtag|domain|phash):\d+ \(\d+ members\)/);
      expect(r.strongestEdges[0].reasons.co_share).toBeGreaterThan(0);
      expect(r.evidencePosts.length).toBeGreaterThan(0);
    }

    // Every member's own score names its ring and the posts behind it.
    const scored = await store.scores.attach(await store.accounts.getMany(rings.flatMap((r) => r.members)));
    expect(scored.length).toBe(rings.reduce((n, r) => n + r.members.length, 0));
    for (const a of scored) {
      expect(a.suspicion?.ringId).toBeDefined();
      expect(a.suspicion?.evidencePosts.length).toBeGreaterThan(0);
    }

    // The store path (packed co-action posts, accounts built from the posts) finds exactly the
    // rings the pure pipeline finds on the file's posts in memory.
    const rows = parse(`${lines.join('\n')}\n`, { columns: true }) as Record<string, string>[];
    const columns = resolveColumns(Object.keys(rows[0]));
    const byId = new Map<string, Post>();
    for (const row of rows) {
      const r = cleanCoactionRow(row, columns, 'german');
      if (!r.ok) continue;
      const prev = byId.get(r.doc._id);
      byId.set(r.doc._id, prev ? mergeShares(prev, r.doc) : r.doc);
    }
    const cfg = store.config.detect;
    const inMemory = detectRings({ posts: [...byId.values()], accounts: [], options: { communities: { resolution: cfg.louvainResolution, seed: cfg.seed } } });
    const members = (list: { members: string[] }[]) => list.map((r) => [...r.members].sort().join(' ')).sort();
    expect(members(rings)).toEqual(members(inMemory.rings));
    expect(stats.edges).toBe(inMemory.stats.edges);

    const reference = referenceAccounts(lines);
    expect(reference.size).toBeGreaterThan(20);
    const inRing = new Set(rings.flatMap((r) => r.members.map((m) => m.replace(/^german:/, ''))));
    const surfaced = [...reference].filter((a) => inRing.has(a));
    console.log(`real sample: ${lines.length - 1} rows, ${reference.size} reference accounts, ${surfaced.length} in ${rings.length} rings`);
    expect(surfaced.length / reference.size).toBeGreaterThanOrEqual(0.7);

    // The ranking view (how a co-share network is compared with a score): the reference
    // accounts rank above the rest. A one-post account is not evidence on a social platform.
    const all: { id: string; score: number }[] = [];
    for await (const s of store.scores.summaries()) all.push({ id: s.accountId.replace(/^german:/, ''), score: s.score });
    const auc = rocAuc(all.map((a) => a.score), all.map((a) => (reference.has(a.id) ? 1 : 0)));
    console.log(`real sample: score AUC for the reference network ${auc.toFixed(3)} over ${all.length} accounts`);
    expect(auc).toBeGreaterThanOrEqual(0.9);
  });
});
