// `ringwatch serve [--port P] [--host H]`: the HTTP API and the dashboard.
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/index';
import type { Job } from '../../jobs/types';
import { buildServer } from '../../server/app';
import { openStore, type Store } from '../../storage/store';
import type { CliDeps } from '../context';
import { output } from '../output';
import { untilSignal } from '../signals';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds and starts the server on an open store (used by `serve` and `demo`). */
export async function startServer(opts: { store: Store; config: Config; log: Logger; port?: number; host?: string; jobs?: Record<string, Job> }): Promise<RunningServer> {
  const app = await buildServer({ store: opts.store, config: opts.config, log: opts.log, jobs: opts.jobs });
  const address = await app.listen({ host: opts.host ?? opts.config.server.host, port: opts.port ?? opts.config.server.port });
  const url = address.replace('://[::1]', '://localhost');
  return { url, app, close: () => app.close() };
}

export function register(program: Command, deps: CliDeps) {
  program
    .command('serve')
    .description('serve the HTTP API (/api, OpenAPI at /openapi.json, docs at /docs) and the dashboard (/) until Ctrl-C')
    .option('--port <port>', 'TCP port (default: config server.port)', (v) => {
      const n = Number.parseInt(v, 10);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0–65535, got "${v}"`);
      return n;
    })
    .option('--host <host>', 'interface to listen on (default: config server.host)')
    .action(async (opts: { port?: number; host?: string }) => {
      const config = deps.config();
      const log = deps.log();
      const store = await openStore(config);
      let server: RunningServer;
      try {
        server = await startServer({ store, config, log, port: opts.port, host: opts.host });
      } catch (err) {
        await store.close();
        throw err;
      }
      output(program.opts().json, { url: server.url, dashboard: `${server.url}/`, docs: `${server.url}/docs`, openapi: `${server.url}/openapi.json` }, () => {
        process.stdout.write(`ringwatch serving on ${server.url}\n  dashboard ${server.url}/\n  API docs  ${server.url}/docs\n  create a key with: ringwatch keys create --role analyst\n`);
      });
      await untilSignal();
      await server.close();
      await store.close();
    });
}
