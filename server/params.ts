// Parameter errors people can act on: the parameter by name, the values it takes, and
// the checks a schema cannot make (a platform nobody crawls or imports, since > until).
import type { FastifySchema, FastifySchemaValidationError } from 'fastify';
import { platformIds } from '../crawlers/platforms/registry';
import type { Store } from '../storage/store';
import { BadRequest } from './guard';

/** One sentence for Ajv's errors: names the parameter, lists allowed values and names. */
export function describeValidation(errors: FastifySchemaValidationError[], context: string, schema?: FastifySchema): string {
  const where = context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : 'body field';
  const first = errors[0];
  const name = (e: FastifySchemaValidationError) => e.instancePath.replace(/^\//, '').replaceAll('/', '.') || (context === 'body' ? 'body' : context);
  if (first.keyword === 'additionalProperties') {
    const extra = String((first.params as { additionalProperty?: string }).additionalProperty ?? '');
    const props = propertiesOf(schema, context);
    return `unknown ${where} "${extra}"${props.length ? `; allowed: ${props.join(', ')}` : ''}`;
  }
  // A choice of constants (a union of literals) fails once per option: list them once.
  const allowed = errors.filter((e) => e.keyword === 'const' && e.instancePath === first.instancePath).map((e) => (e.params as { allowedValue?: unknown }).allowedValue);
  if (allowed.length > 0) return `${where} "${name(first)}" must be one of ${allowed.map((v) => String(v)).join(', ')}`;
  if (first.keyword === 'required') return `${where} "${String((first.params as { missingProperty?: string }).missingProperty)}" is required`;
  return `${where} "${name(first)}" ${first.message ?? 'is invalid'}`;
}

function propertiesOf(schema: FastifySchema | undefined, context: string): string[] {
  const part = (schema as Record<string, unknown> | undefined)?.[context] as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(part?.properties ?? {}).sort();
}

/** `since` after `until` selects nothing: refused rather than answered with an empty page. */
export function checkDateOrder(since: unknown, until: unknown): void {
  if (typeof since !== 'string' || typeof until !== 'string') return;
  const a = Date.parse(since);
  const b = Date.parse(until);
  if (Number.isFinite(a) && Number.isFinite(b) && a > b) throw new BadRequest(`since (${since}) is after until (${until}): nothing can match`);
}

const PLATFORMS_TTL_MS = 60_000;

/** Platforms the store has accounts of, plus the crawled ones; refreshed at most once a minute. */
export function knownPlatforms(store: Store) {
  let cached: { at: number; set: Set<string> } | undefined;
  const load = async () => {
    if (!cached || Date.now() - cached.at > PLATFORMS_TTL_MS) {
      const stored = (await store.accounts.distinct('platform')).map(String);
      cached = { at: Date.now(), set: new Set([...platformIds(), ...stored]) };
    }
    return cached.set;
  };
  return {
    async check(platform: string) {
      let known = await load();
      if (!known.has(platform)) {
        // Just imported? Look once more before refusing.
        cached = undefined;
        known = await load();
      }
      if (!known.has(platform)) throw new BadRequest(`unknown platform "${platform}"; known: ${[...known].sort().join(', ')}`);
    },
  };
}
