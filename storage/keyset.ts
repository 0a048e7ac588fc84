// Keyset pages: sort by one field plus `_id`, and continue strictly after the last row
// seen. Unlike skip/limit, a page never repeats or skips rows when documents are
// inserted between requests. (The API's cursors that carry the last row: server/pagination.ts.)

/** Sort direction of a list; ties go by `_id` ascending either way. */
export type Order = 'asc' | 'desc';

/** The filter for "after this row" and the matching sort. */
export function keyset(field: string, order: Order, after?: { value: string | number | Date; id: string }) {
  const dir = order === 'asc' ? 1 : -1;
  const sort = { [field]: dir, _id: 1 } as Record<string, 1 | -1>;
  if (!after) return { filter: {}, sort };
  const cmp = order === 'asc' ? '$gt' : '$lt';
  return { filter: { $or: [{ [field]: { [cmp]: after.value } }, { [field]: after.value, _id: { $gt: after.id } }] }, sort };
}
