// Refuses anything that could reach the database as a query operator: bracketed or
// dotted parameter names (`platform[$ne]=x`), values that are JSON operator objects
// (`platform={"$ne":"x"}`) or start with `$`, and body keys starting with `$` or
// holding a dot. The typebox schemas then check types, ranges and unknown names.

export class BadRequest extends Error {
  readonly statusCode = 400;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export function checkQuery(query: unknown): void {
  if (!query || typeof query !== 'object') return;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (!NAME.test(name)) {
      throw new BadRequest(
        `query parameter "${truncate(name)}" is not accepted: parameter names are plain words; brackets, dots and "$" operators are not allowed`,
      );
    }
    for (const v of Array.isArray(value) ? value : [value]) checkValue(name, v);
  }
}

function checkValue(name: string, v: unknown): void {
  if (typeof v !== 'string') return;
  const t = v.trim();
  if (t.startsWith('$')) throw new BadRequest(`query parameter "${name}" starts with "$": operators are not accepted, only plain values`);
  if ((t.startsWith('{') || t.startsWith('[')) && t.includes('$')) {
    throw new BadRequest(`query parameter "${name}" looks like a query operator object (${truncate(t)}): only plain values are accepted`);
  }
}

export function checkBody(body: unknown, path = 'body', depth = 0): void {
  if (depth > 20) throw new BadRequest(`${path} is nested too deeply`);
  if (Array.isArray(body)) {
    for (const [i, v] of body.entries()) checkBody(v, `${path}[${i}]`, depth + 1);
    return;
  }
  if (!body || typeof body !== 'object') return;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k.startsWith('$') || k.includes('.')) {
      throw new BadRequest(`${path} has a key "${truncate(k)}": keys starting with "$" or containing "." are operators, not data`);
    }
    checkBody(v, `${path}.${k}`, depth + 1);
  }
}

/**
 * Refuses query or path parameters beyond a double's range, after the schemas coerced the
 * strings: "1e309" and "Infinity" coerce to ±Infinity, which ajv's minimum / maximum let
 * through (it range-checks finite numbers only). A JSON body needs no such check: its 1e309
 * parses as Infinity, which ajv's number and integer types refuse when nothing is coerced
 * (as TypeBox's Value.Check does for job parameters).
 */
export function checkFiniteParams(params: unknown, kind: 'query' | 'path'): void {
  if (!params || typeof params !== 'object') return;
  for (const [k, value] of Object.entries(params as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new BadRequest(`${kind} parameter "${truncate(k)}" is ${v}: only finite numbers are accepted`);
    }
  }
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
