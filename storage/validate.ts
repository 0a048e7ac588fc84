// Catches documents FerretDB 1.24 (or MongoDB) would reject or silently mangle,
// before they reach the server, so that a batch write can report exactly which
// records were refused and why (DESIGN.md §3 "portable subset").

export interface Rejection {
  id: string;
  reason: string;
}

/** Returns why `doc` cannot be stored portably, or null when it can. */
export function whyUnstorable(doc: unknown): string | null {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'document must be an object';
  const id = (doc as { _id?: unknown })._id;
  if (typeof id !== 'string' || id.length === 0) return '_id must be a non-empty string';
  if (id.length > 1024) return '_id longer than 1024 characters';
  return check(doc, '', false);
}

function check(value: unknown, path: string, inArray: boolean): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return `${path || 'value'} is NaN (FerretDB rejects NaN)`;
      if (!Number.isFinite(value)) return `${path || 'value'} is ${value} (not storable portably)`;
      return null;
    case 'string':
    case 'boolean':
      return null;
    case 'bigint':
      return `${path} is a bigint (store as string or number)`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? `${path} is an invalid Date` : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (Array.isArray(value[i])) return `${path}[${i}] is an array inside an array (FerretDB rejects nested arrays)`;
      const r = check(value[i], `${path}[${i}]`, true);
      if (r) return r;
    }
    return null;
  }
  if (ArrayBuffer.isView(value)) return null;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (k.includes('.')) return `key "${p}" contains "." (not allowed in stored keys)`;
    if (k.startsWith('$')) return `key "${p}" starts with "$" (not allowed in stored keys)`;
    if (k.includes('\0')) return `key "${p}" contains a NUL character`;
    if (k === '') return `empty key under "${path || '(root)'}"`;
    const r = check(v, p, inArray);
    if (r) return r;
  }
  return null;
}

/** Splits documents into storable ones and rejections (with ids and reasons). */
export function partitionStorable<T>(docs: T[]): { ok: T[]; rejected: Rejection[] } {
  const ok: T[] = [];
  const rejected: Rejection[] = [];
  for (const doc of docs) {
    const reason = whyUnstorable(doc);
    if (reason) rejected.push({ id: String((doc as { _id?: unknown })?._id ?? '(no _id)'), reason });
    else ok.push(doc);
  }
  return { ok, rejected };
}
