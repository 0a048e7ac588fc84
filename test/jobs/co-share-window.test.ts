// The co-share window is the user's choice (CooRTweet's time_window): `detect --co-share-window`,
// the job's `coShareWindow` parameter and config `detect.coShareWindow` all reach the pipeline;
// a bad one is refused naming it. Real store, real import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetect } from '../../jobs/detect';
import { runImportJob } from '../../jobs/import';
import { checkJobParams } from '../../jobs/params';
import { jobRegistry } from '../../jobs/registry';
import { inputFiles, jobContext } from '../importers/helpers';
import { testConfig, testStore } from '../helpers/store';

const write = inputFiles('ringwatch-co-share-window-');
const T0 = 1_630_490_400; // 2021-09-01T10:00:00Z, epoch seconds
const RING = ['r1', 'r2', 'r3', 'r4'];

/**
 * Four accounts retweet the same three posts, 15 s apart each time (a pair is 15–45 s apart:
 * never within CooRTweet's default 10 s), and twelve others retweet a popular post hours apart.
 */
function coRetweets(): string {
  const rows = ['object_id,account_id,content_id,timestamp_share'];
  let c = 0;
  for (let k = 0; k < 3; k++) for (const [i, a] of RING.entries()) rows.push(`rt${k},${a},c${c++},${T0 + k * 3600 + 15 * i}`);
  for (let k = 0; k < 12; k++) rows.push(`rtpopular,o${k},c${c++},${T0 + 20_000 + k * 900}`, `rt-own-${k},o${k},c${c++},${T0 + 21_000 + k * 900}`);
  return write('co-retweets.csv', rows);
}

const members = (rings: { members: string[] }[]) => rings.map((r) => r.members.map((m) => m.split(':')[1]));

describe('co-share window', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  let wide: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    store = await testStore();
    wide = await testStore(testConfig({ overrides: { detect: { coShareWindow: '1m' } } }));
    for (const s of [store, wide]) await runImportJob(jobContext(s), { what: 'coactions', file: coRetweets(), source: 'ru' });
  });
  afterAll(async () => {
    await store?.close();
    await wide?.close();
  });

  it('co-shares 15 s apart are no ring at the default 10 s, and a ring with its objects at 60 s', async () => {
    const plain = await runDetect(jobContext(store, 'plain'), { all: true });
    expect(plain.coShareWindowSeconds).toBe(10);
    expect(plain.rings).toBe(0);

    const sixty = await runDetect(jobContext(store, 'sixty'), { all: true, coShareWindow: '60s' });
    expect(sixty.coShareWindowSeconds).toBe(60);
    const rings = await store.rings.find({});
    expect(members(rings)).toEqual([RING]);
    const objects = rings[0].indicators.find((i) => i.name === 'co_shared_objects');
    expect(objects?.explanation).toMatch(/object:rt0 \(4 members\), object:rt1 \(4 members\), object:rt2 \(4 members\)/);
  });

  it('takes the window from config detect.coShareWindow', async () => {
    const stats = await runDetect(jobContext(wide, 'config'), { all: true });
    expect(stats.coShareWindowSeconds).toBe(60);
    expect(members(await wide.rings.find({}))).toEqual([RING]);
  });

  it('refuses a window it cannot read or longer than a day, naming where it came from', async () => {
    const job = jobRegistry().detect;
    const ctx = { config: store.config, trigger: 'api' as const };
    expect(() => checkJobParams(job, { coShareWindow: 'soon' }, ctx)).toThrow(/detect: params\.coShareWindow: .*a co-share window such as 10s/);
    expect(() => checkJobParams(job, { coShareWindow: '2d' }, ctx)).toThrow(/detect: params\.coShareWindow: "2d" is longer than a day/);
    expect(checkJobParams(job, { coShareWindow: '90s' }, ctx)).toEqual({ coShareWindow: '90s' });
    const badConfig = await testStore(testConfig({ overrides: { detect: { coShareWindow: '3d' } } }));
    try {
      await expect(runDetect(jobContext(badConfig), { all: true })).rejects.toThrow(/config detect\.coShareWindow: "3d" is longer than a day/);
    } finally {
      await badConfig.close();
    }
  });

  it('reads a label file anywhere from the CLI, from reports.outDir only when the API or a schedule starts detect', () => {
    const job = jobRegistry().detect;
    expect(checkJobParams(job, { labels: '/etc/passwd' }, { config: store.config, trigger: 'cli' })).toEqual({ labels: '/etc/passwd' });
    expect(() => checkJobParams(job, { labels: '/etc/passwd' }, { config: store.config, trigger: 'api' })).toThrow(/labels "\/etc\/passwd" is outside reports\.outDir/);
    expect(checkJobParams(job, { labels: 'decisions.csv' }, { config: store.config, trigger: 'schedule' }).labels).toBe(`${store.config.reports.outDir}/decisions.csv`);
  });
});
