// The dashboard: plain ES modules from server/public plus the vendor builds of
// echarts, graphology and sigma served from node_modules. A strict CSP (no inline
// scripts, no remote origins) backs up the escaping in the page code.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { labelTables } from '../reports/labels';
import type { TypeBoxTypeProvider } from './typebox';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PUBLIC_DIR = path.join(here, 'public');

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const require = createRequire(import.meta.url);

/** Vendor file name → path of the package's browser build. */
export function vendorFiles(): Record<string, string> {
  const pkgDir = (name: string) => {
    // Some packages do not export ./package.json: walk up from their entry point.
    let dir = path.dirname(require.resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
      const up = path.dirname(dir);
      if (up === dir) throw new Error(`cannot find the ${name} package`);
      dir = up;
    }
    return dir;
  };
  return {
    'echarts.min.js': path.join(pkgDir('echarts'), 'dist', 'echarts.min.js'),
    'graphology.umd.min.js': path.join(pkgDir('graphology'), 'dist', 'graphology.umd.min.js'),
    'sigma.min.js': path.join(pkgDir('sigma'), 'dist', 'sigma.min.js'),
  };
}

export async function dashboardPlugin(untyped: FastifyInstance): Promise<void> {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const vendor = vendorFiles();
  const cache = new Map<string, Buffer>();
  app.get('/vendor/:file', { schema: { hide: true, params: T.Object({ file: T.String() }) } }, async (req, reply) => {
    const file = req.params.file;
    const p = Object.hasOwn(vendor, file) ? vendor[file] : undefined;
    if (!p) return reply.code(404).send({ error: 'Not Found', message: 'no such vendor file' });
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(p);
      cache.set(file, body);
    }
    return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').header('content-security-policy', DASHBOARD_CSP).send(body);
  });
  // One set of words for the dashboard, the CLI and the PDFs (reports/labels.ts).
  app.get('/labels.json', { schema: { hide: true } }, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').send(labelTables()));
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      return payload;
    });
    await scope.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: ['index.html'], decorateReply: false, cacheControl: false });
  });
}
