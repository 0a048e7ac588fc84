// Jobs: admins start one (it runs in this process, recorded in `runs`); anyone with a
// key follows progress through the run record.
import { randomUUID } from 'node:crypto';
import { Type as T } from '@sinclair/typebox';
import { checkJobParams, JobParamsError } from '../../jobs/params';
import { publicRun, runJob } from '../../jobs/runner';
import { actorOf } from '../auth';
import { writeAudit } from '../../queries/audit';
import { query, type RoutePlugin } from './common';

export const jobRoutes: RoutePlugin = async (app, { services }) => {
  const { store, config, log, jobs } = services;
  const running = new Map<string, string>();

  app.get('/jobs', { schema: { tags: ['jobs'], summary: 'the jobs that can be started, and which are running in this server' } }, async () => ({
    items: Object.values(jobs).map((j) => ({ name: j.name, description: j.description, runningRunId: running.get(j.name) ?? null })),
  }));

  app.post('/jobs', {
    config: { role: 'admin' },
    schema: {
      tags: ['jobs'],
      summary: 'start a job (admin); returns its run id at once; 409 when the same job is already running here',
      body: T.Object(
        {
          job: T.String({ minLength: 1, maxLength: 60, pattern: '^[a-z][a-z0-9:_-]*$' }),
          params: T.Optional(T.Record(T.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), T.Unknown())),
        },
        { additionalProperties: false },
      ),
    },
  }, async (req, reply) => {
    const body = req.body;
    const job = jobs[body.job];
    if (!job) return reply.code(400).send({ error: 'Bad Request', message: `unknown job "${body.job}"; known: ${Object.keys(jobs).sort().join(', ')}` });
    const busy = running.get(job.name);
    if (busy) return reply.code(409).send({ error: 'Conflict', message: `${job.name} is already running (run ${busy})`, runId: busy });
    let params: Record<string, unknown>;
    try {
      params = checkJobParams(job, body.params ?? {}, { config, trigger: 'api' }) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof JobParamsError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
      throw err;
    }
    const runId = `${job.name}:${new Date().toISOString()}:${randomUUID().slice(0, 8)}`;
    await writeAudit(store, { actor: actorOf(req), action: 'job.start', target: `run:${runId}`, after: { job: job.name, params } });
    running.set(job.name, runId);
    void runJob(store, config, job, params, { trigger: 'api', log, runId })
      .catch((err) => log.warn({ err: (err as Error).message, runId }, 'job started from the API failed'))
      .finally(() => running.delete(job.name));
    // The runner records the run first thing; wait for it so a follow-up GET finds it.
    for (let i = 0; i < 100 && !(await store.runs.get(runId)); i++) await new Promise((r) => setTimeout(r, 20));
    return reply.code(202).send({ runId, job: job.name, status: 'running', follow: `/api/jobs/${encodeURIComponent(runId)}` });
  });

  app.get('/jobs/:runId', {
    schema: { tags: ['jobs'], summary: 'one run: status, progress, stats, error', params: T.Object({ runId: T.String({ minLength: 1, maxLength: 200 }) }) },
  }, async (req, reply) => {
    const run = await store.runs.get(req.params.runId);
    if (!run) return reply.code(404).send({ error: 'Not Found', message: 'no such run' });
    return publicRun(run);
  });

  app.get('/runs', {
    schema: {
      tags: ['jobs'],
      summary: 'recent job runs, newest first',
      querystring: query({ job: T.Optional(T.String({ pattern: '^[a-z][a-z0-9:_-]*$' })), limit: T.Optional(T.Integer({ minimum: 1, maximum: 200, default: 20 })) }),
    },
  }, async (req) => {
    const q = req.query;
    return { items: (await store.runs.find(q.job ? { job: q.job } : {}, { sort: { startedAt: -1 }, limit: q.limit ?? 20 })).map(publicRun) };
  });
};
