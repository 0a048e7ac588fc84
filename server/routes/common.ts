// Schemas and small helpers shared by the route modules.
import { type TSchema, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '../typebox';
import type { Services } from '../services';
import { isoWeekProblem } from '../../analysis/time';
import { platformIds } from '../../crawlers/platforms/registry';
import { BadRequest } from '../guard';

/** A route module: its handlers see requests typed by their schemas (server/typebox.ts). */
export type RoutePlugin = FastifyPluginAsync<{ services: Services }, RawServerDefault, TypeBoxTypeProvider>;

export const Limit = T.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size (1–500)' });
export const Cursor = T.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' });
export const OrderParam = T.Union([T.Literal('asc'), T.Literal('desc')], { description: 'sort direction' });
export const Score = T.Number({ minimum: 0, maximum: 1 });
export const Platform = T.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: `${platformIds().join(', ')} or an import source` });
export const ProductId = T.String({ minLength: 1, maxLength: 120, pattern: '^[A-Za-z0-9][A-Za-z0-9 _:./-]*$' });
export const RingId = T.String({ pattern: '^ring_[A-Za-z0-9_-]{1,64}$' });
export const DocId = T.String({ minLength: 1, maxLength: 300 });
export const DateParam = T.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
  description: 'ISO 8601 date (2026-11-20) or date-time (2026-11-20T10:00:00Z)',
});
export const Week = T.String({ pattern: '^\\d{4}-W\\d{2}$', description: 'ISO week, e.g. 2026-W47 (W01 to W52, or W53 in 53-week years)' });

/** The `week` parameter checked against its year (W00 never, W53 in some years only): a message naming the valid range. */
export function weekParam(week: string | undefined, name = 'week'): string | undefined {
  const problem = week === undefined ? null : isoWeekProblem(week);
  if (problem) throw new BadRequest(`${name}: ${problem}`);
  return week;
}

export function query<P extends Record<string, TSchema>>(props: P) {
  return T.Object(props, { additionalProperties: false });
}

/** Ring members' post references through the server's look-ups (in memory on FerretDB). */
export function postRefs(services: Services) {
  return (accountIds: readonly string[]) => services.lookups.postRefs(accountIds);
}
