// The HTTP service: a Fastify app with the API under /api (API-key auth, roles, rate
// limit), OpenAPI at /openapi.json with a docs page at /docs, and the dashboard's
// static files at /. `buildServer` never listens; `ringwatch serve` does.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { markStaleRuns } from '../jobs/runner';
import { pdfRenderer } from '../reports/pdf';
import { installAuth } from './auth';
import { dashboardPlugin } from './dashboard';
import { BadRequest, checkBody, checkFiniteParams, checkQuery } from './guard';
import { checkDateOrder, describeValidation, knownPlatforms } from './params';
import { KeyVerifier } from '../queries/keys';
import { accountRoutes } from './routes/accounts';
import { adminRoutes } from './routes/admin';
import { escalationRoutes } from './routes/escalations';
import { jobRoutes } from './routes/jobs';
import { kpiRoutes } from './routes/kpis';
import { postRoutes } from './routes/posts';
import { reportRoutes } from './routes/reports';
import { ringRoutes } from './routes/rings';
import { defaultJobs } from './jobs';
import { openLookups } from '../storage/lookups';
import type { ServerDeps, Services } from './services';

export type { ServerDeps, Services } from './services';

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const lookups = openLookups(deps.store, { log: deps.log.child({ component: 'live' }), mode: deps.lookupMode });
  const services: Services = { ...deps, jobs: deps.jobs ?? defaultJobs(), lookups };
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }),
    // One line per request (below), not Fastify's two; never headers, so never a key.
    disableRequestLogging: true,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });

  // Requests that went well are debug noise (a dashboard page makes a dozen); refusals are worth a line.
  app.addHook('onResponse', async (req, reply) => {
    const line = { method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) return; // logged with its error by the error handler
    if (reply.statusCode >= 400) req.log.info(line, 'request refused');
    else req.log.debug(line, 'request');
  });

  app.addHook('preValidation', async (req) => {
    checkQuery(req.query);
    checkBody(req.body);
  });
  // Checks every route's `platform`, `since` and `until` the same way (after the schemas).
  const platforms = knownPlatforms(deps.store);
  app.addHook('preHandler', async (req) => {
    checkFiniteParams(req.query, 'query');
    checkFiniteParams(req.params, 'path');
    const q = (req.query ?? {}) as Record<string, unknown>;
    if (typeof q.platform === 'string') await platforms.check(q.platform);
    checkDateOrder(q.since, q.until);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof BadRequest) return reply.code(400).send({ error: 'Bad Request', message: err.message });
    if (err.validation) {
      return reply.code(400).send({ error: 'Bad Request', message: describeValidation(err.validation, err.validationContext ?? 'request', req.routeOptions.schema) });
    }
    if (err.statusCode === 404) return reply.code(404).send({ error: 'Not Found', message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: 'Internal Server Error', message: 'the server could not complete the request; see the server log' });
    }
    return reply.code(status).send({ error: err.name || 'Error', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ringwatch API', version: '0.1.0', description: 'Suspicious accounts, review rings, escalation links, KPIs, reports and jobs.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'rw_<id>_<secret>; `Authorization: Bearer <key>` works too' },
        },
      },
      security: [{ apiKey: [] }],
    },
  });
  // The docs page gets the plugin's own CSP for its static files, and may not be framed (clickjacking).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });
  app.addHook('onSend', async (req, reply) => {
    if (req.url === '/docs' || req.url.startsWith('/docs/')) reply.header('x-frame-options', 'DENY');
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/health', { schema: { tags: ['meta'], security: [], summary: 'liveness and store reachability' } }, async () => ({
    ok: true,
    store: await deps.store.ping(),
  }));

  // Load the views now so the first dashboard visit does not wait for the whole scan.
  void lookups.start().catch((err) => deps.log.error({ err }, 'the live views could not start; requests will retry'));
  // Runs left `running` by a process killed mid-way (kill -9, power loss) are marked stale.
  void markStaleRuns(deps.store)
    .then((ids) => ids.length && deps.log.warn({ runs: ids }, 'marked runs of dead processes stale'))
    .catch((err) => deps.log.warn({ err: (err as Error).message }, 'could not check for stale runs'));
  app.addHook('onClose', async () => {
    lookups.close();
    await pdfRenderer.closeIdle();
  });
  const verifier = new KeyVerifier((id) => lookups.apiKey(id));
  await app.register(
    async (api) => {
      installAuth(api, { verifier, store: deps.store, perMinute: deps.config.server.rateLimitPerMinute, failedPerMinute: deps.config.server.failedLoginsPerMinute });
      await api.register(accountRoutes, { services });
      await api.register(ringRoutes, { services });
      await api.register(postRoutes, { services });
      await api.register(escalationRoutes, { services });
      await api.register(kpiRoutes, { services });
      await api.register(jobRoutes, { services });
      await api.register(reportRoutes, { services });
      await api.register(adminRoutes, { services });
    },
    { prefix: '/api' },
  );
  await app.register(dashboardPlugin);
  return app as unknown as FastifyInstance;
}
