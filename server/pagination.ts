// Keyset (cursor) pagination: sort by one field plus `_id`, and continue strictly
// after the last row seen. Unlike skip/limit, a page never repeats or skips rows
// when documents are inserted between requests.
import type { Order } from '../storage/keyset';
import { BadRequest } from './guard';

export { keyset, type Order } from '../storage/keyset';
type Scalar = string | number | Date;

interface CursorBody {
  f: string;
  o: Order;
  v: string | number;
  d?: 1;
  id: string;
}

export function encodeCursor(field: string, order: Order, value: Scalar, id: string): string {
  const body: CursorBody = value instanceof Date ? { f: field, o: order, v: value.getTime(), d: 1, id } : { f: field, o: order, v: value, id };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, field: string, order: Order): { value: Scalar; id: string } {
  let body: CursorBody;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
  }
  if (!body || typeof body !== 'object' || typeof body.id !== 'string' || (typeof body.v !== 'string' && typeof body.v !== 'number')) {
    throw new BadRequest('cursor is not valid: pass the nextCursor of a previous page unchanged');
  }
  if (body.f !== field || body.o !== order) {
    throw new BadRequest(`cursor belongs to a listing sorted by ${body.f} ${body.o}, not ${field} ${order}: keep the same sort while paging`);
  }
  const value = body.d ? new Date(body.v as number) : body.v;
  if (value instanceof Date && Number.isNaN(value.getTime())) throw new BadRequest('cursor is not valid');
  return { value, id: body.id };
}


export function getPath(doc: unknown, path: string): unknown {
  let cur = doc as Record<string, unknown> | undefined;
  for (const part of path.split('.')) cur = cur?.[part] as Record<string, unknown> | undefined;
  return cur;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageOf<T extends { _id: string }>(rows: T[], limit: number, field: string, order: Order): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const more = rows.length > limit && last;
  return { items, nextCursor: more ? encodeCursor(field, order, getPath(last, field) as Scalar, last._id) : null };
}

/** Combines filters without letting one overwrite another's keys. */
export function and(...filters: Record<string, unknown>[]): Record<string, unknown> {
  const parts = filters.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0];
  return { $and: parts };
}
