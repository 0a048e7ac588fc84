// Jobs in a worker thread (jobs/thread.ts): detect runs there through the one job path
// (runJob), so the thread that called it keeps running — the API answering, queue locks
// and heartbeats renewed — while the pipeline computes. Same stored result as in-thread.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectJob, runDetect } from '../../jobs/detect';
import { runJob } from '../../jobs/runner';
import { scoredAccounts } from '../helpers/scores';
import { testStore } from '../helpers/store';
import { makeFixture } from '../analysis/rings/fixture';
import { ctxFor, seedStore } from '../analysis/rings/store-fixture';
import { logSink } from '../helpers/log-sink';

type S = Awaited<ReturnType<typeof testStore>>;


describe('jobs in a worker thread', () => {
  let inThread: S;
  let offThread: S;
  const f = makeFixture({ seed: 11, organicAccounts: 400, organicPosts: 3000, burstSize: 40, rings: 3 });
  beforeAll(async () => {
    inThread = await testStore();
    offThread = await testStore();
    const now = new Date();
    await seedStore(inThread, f, now);
    await seedStore(offThread, f, now);
  });
  afterAll(async () => {
    await inThread?.close();
    await offThread?.close();
  });

  it('runs detect in a thread: this thread keeps ticking through the pipeline, logs and progress arrive, the store ends as with an in-thread run', async () => {
    await runDetect(ctxFor(inThread, 'run-1'), { window: '60d' });

    // Timer ticks between "building the account graph" (2 of 4) and "writing" (3 of 4): the
    // pipeline's span. In this thread that span is one synchronous call, so no tick fits in it.
    let ticks = 0;
    const steps: { step: number; ticks: number }[] = [];
    const timer = setInterval(() => ticks++, 1);
    const raw: string[] = [];
    const log = pino({ level: 'info' }, logSink(raw));
    const res = await runJob(offThread, offThread.config, detectJob, { window: '60d' }, {
      trigger: 'cli', log, runId: 'run-1', onProgress: (done, total) => total === 4 && steps.push({ step: done, ticks }),
    }).finally(() => clearInterval(timer));
    const at = (step: number) => steps.find((s) => s.step === step)?.ticks ?? Number.NaN;
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(at(3) - at(2)).toBeGreaterThanOrEqual(1);
    console.log(`pipeline ${res.pipelineMs} ms: ${at(3) - at(2)} ticks of this thread meanwhile`);

    expect(res.rings).toBe(3);
    const finished = raw.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'detect finished');
    expect(finished).toMatchObject({ job: 'detect', runId: 'run-1', rings: 3, level: 30 });
    expect((await offThread.runs.get('run-1'))?.status).toBe('succeeded');

    const ringsOf = async (s: S) => (await s.rings.find({})).map((r) => ({ _id: r._id, members: r.members, score: r.score, indicators: r.indicators })).sort((a, b) => a._id.localeCompare(b._id));
    expect(await ringsOf(offThread)).toEqual(await ringsOf(inThread));
    const scoresOf = async (s: S) => (await scoredAccounts(s)).map(({ _id, suspicion: { detectedAt: _at, ...rest } }) => ({ _id, ...rest })).sort((a, b) => a._id.localeCompare(b._id));
    expect(await scoresOf(offThread)).toEqual(await scoresOf(inThread));
  }, 120_000);

  it('a cancelled run ends cancelled, and an error in the thread fails the run with its message', async () => {
    // Cancelled as it starts: the cancel reaches the thread, which stops before writing scores.
    const stop = new AbortController();
    stop.abort();
    const cancelled = runJob(offThread, offThread.config, detectJob, { window: '60d' }, { trigger: 'cli', log: pino({ level: 'silent' }), runId: 'run-cancel', signal: stop.signal });
    await expect(cancelled).rejects.toThrow(/detect cancelled/);
    expect((await offThread.runs.get('run-cancel'))?.status).toBe('cancelled');
    expect((await offThread.scores.latest()).run?.runId).toBe('run-1');

    // An until before since: the job's own check, thrown in the thread, reaches the caller.
    const failed = runJob(offThread, offThread.config, detectJob, { since: '2026-02-01', until: '2026-01-01' }, { trigger: 'cli', log: pino({ level: 'silent' }), runId: 'run-bad' });
    await expect(failed).rejects.toThrow(/since|until/);
    expect((await offThread.runs.get('run-bad'))?.status).toBe('failed');
  }, 120_000);
});
