// Job parameters: every job the API, the scheduler and the workers can start declares a
// TypeBox schema of its params (`Job.params`), checked here before the run starts, so a
// bad parameter is a 400 (API) or a clear error (CLI) naming it, never a surprise later.
// Paths a job writes to are confined to reports.outDir for every caller but the operator
// at the CLI (who has a shell anyway): `..`, other absolute paths and symlinks that lead
// out are refused.
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { type TSchema, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../config/index';
import type { Run } from '../storage/types';
import type { Job } from './types';

/** A bad job parameter: 400 from the API, exit code 2 from the CLI. */
export class JobParamsError extends Error {
  readonly statusCode = 400;
  readonly exitCode = 2;
}

export interface ParamsContext {
  config: Config;
  trigger: Run['trigger'];
}

/** Triggers whose caller is the operator at this machine: their paths are not confined. */
const OPERATOR: ReadonlySet<Run['trigger']> = new Set(['cli', 'demo']);

/** The params, with schema defaults applied, or a JobParamsError naming the first bad one. */
export function checkJobParams<P, R>(job: Job<P, R>, raw: unknown, ctx: ParamsContext): P {
  if (!job.params) return (raw ?? {}) as P;
  const params = Value.Default(job.params, Value.Clone(raw ?? {})) as P;
  const error = Value.Errors(job.params, params).First();
  if (error) {
    const name = error.path ? `params${error.path.replace(/\//g, '.')}` : 'params';
    const hint = (error.schema as { description?: string }).description;
    throw new JobParamsError(`${job.name}: ${name}: ${error.message.toLowerCase()}${hint ? ` (${hint})` : ''}`);
  }
  return job.checkParams ? job.checkParams(params, { ...ctx, confine: !OPERATOR.has(ctx.trigger) }) : params;
}

/**
 * `p` (relative to `root`, or absolute) as an absolute path inside `root`, or an error:
 * no `..` segment, nothing outside root after resolving, and no symlink on the way
 * (nor the file itself) that leads out of it.
 */
export function confinedPath(p: string, root: string, name: string): string {
  const refuse = (why: string) => new JobParamsError(`${name} "${p}" ${why}; give a file name or a path inside reports.outDir (${root})`);
  if (p.split(/[\\/]/).includes('..')) throw refuse('contains ".."');
  const absRoot = path.resolve(root);
  const target = path.resolve(absRoot, p);
  if (!inside(target, absRoot)) throw refuse('is outside reports.outDir');
  // Both resolved through whatever of them exists (reports.outDir itself may not exist yet):
  // the target must really be inside root.
  if (!inside(realPath(target), realPath(absRoot))) throw refuse('leads out of reports.outDir through a symbolic link');
  return target;
}

/** `p` with its deepest existing part resolved (symbolic links followed) and the rest appended as it is. */
function realPath(p: string): string {
  let probe = p;
  while (!exists(probe) && probe !== path.dirname(probe)) probe = path.dirname(probe);
  return path.join(realOrSelf(probe), path.relative(probe, p));
}

function inside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

// Building blocks for the job schemas.
export const Duration = T.String({ maxLength: 20, pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)$', description: 'a duration such as 72h, 30m, 7d' });
export const DateLike = T.Union([T.Date(), T.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})?)?$' })], {
  description: 'an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z',
});
export const FilePath = T.String({ minLength: 1, maxLength: 1024 });

export function paramsSchema<P extends Record<string, TSchema>>(props: P) {
  return T.Object(props, { additionalProperties: false });
}
