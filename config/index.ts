// Loads the one validated configuration: defaults < config file < environment.
// Invalid configuration fails at start with the key, its source and what is wrong.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatRegistry } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import type { PlatformDescriptor } from '../crawlers/platforms/descriptor';
import { platforms } from '../crawlers/platforms/registry';
import { defaults } from './defaults';
import { type Config, configSchema, type Secrets } from './schema';

export type { Config, Schedule, Secrets } from './schema';

if (!FormatRegistry.Has('uri')) {
  FormatRegistry.Set('uri', (v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  });
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Non-secret settings that may come from the environment: variable → key path (platforms' after the server's). */
export function envKeys(list: readonly PlatformDescriptor[] = platforms()): Record<string, string> {
  return {
    RINGWATCH_DATA: 'dataDir',
    RINGWATCH_DB: 'database',
    RINGWATCH_LOG_LEVEL: 'logLevel',
    RINGWATCH_HOST: 'server.host',
    RINGWATCH_PORT: 'server.port',
    RINGWATCH_RATE_LIMIT: 'server.rateLimitPerMinute',
    RINGWATCH_FAILED_LOGIN_LIMIT: 'server.failedLoginsPerMinute',
    ...Object.fromEntries(list.flatMap((p) => Object.entries(p.config.env ?? {}).map(([name, key]) => [name, `${p.id}.${key}`]))),
    RINGWATCH_REPORTS: 'reports.outDir',
  };
}

/** Secrets: environment only, never from a file, never logged (platforms' between the store's and the hash key). */
export function secretEnv(list: readonly PlatformDescriptor[] = platforms()): Record<string, keyof Secrets> {
  return {
    MONGODB_URI: 'mongodbUri',
    REDIS_URL: 'redisUrl',
    ...(Object.fromEntries(list.flatMap((p) => Object.entries(p.secrets))) as Record<string, keyof Secrets>),
    RINGWATCH_HASH_KEY: 'hashKey',
  };
}

export interface LoadOptions {
  /** Directory holding ringwatch.config.json; default process.cwd(). */
  cwd?: string;
  /** Explicit config file; else RINGWATCH_CONFIG, else <cwd>/ringwatch.config.json when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Last-word overrides from code (tests, the demo). */
  overrides?: DeepPartial<Omit<Config, 'secrets'>>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const sources = new Map<string, string>();
  // Every problem is collected and reported at once: a user fixes them in one go.
  const problems: string[] = [];
  const list = platforms();
  let merged: Record<string, unknown> = structuredClone(defaults(cwd, list)) as Record<string, unknown>;

  const file = opts.file ?? env.RINGWATCH_CONFIG ?? path.join(cwd, 'ringwatch.config.json');
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!isPlainObject(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
    if ('secrets' in parsed) {
      throw new ConfigError(`config file ${file}: "secrets" may not be set in a file; use environment variables (see README)`);
    }
    problems.push(...unknownKeys(parsed, merged, '').map((m) => `  ${m} (in ${path.basename(file)})`));
    merged = deepMerge(merged, parsed, '', sources, path.basename(file));
  } else if (opts.file || env.RINGWATCH_CONFIG) {
    throw new ConfigError(`config file ${file} does not exist`);
  }

  for (const [name, keyPath] of Object.entries(envKeys(list))) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(merged, keyPath, coerce(raw, getPath(merged, keyPath)));
    sources.set(keyPath, `environment variable ${name}`);
  }
  if (opts.overrides) merged = deepMerge(merged, opts.overrides as Record<string, unknown>, '', sources, 'code');

  const seen = new Set<string>();
  for (const e of Value.Errors(configSchema(list), merged)) {
    const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    // Unions report each branch; one line per key says enough.
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(`  ${key} (from ${sourceOf(sources, key)}): ${describeError(e)}; got ${JSON.stringify(e.value)}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`);

  const secrets: Secrets = {};
  for (const [name, key] of Object.entries(secretEnv(list))) {
    const v = env[name];
    if (v) secrets[key] = v;
  }
  const config = merged as Config;
  config.dataDir = path.resolve(cwd, config.dataDir);
  config.reports.outDir = path.resolve(config.dataDir, config.reports.outDir);
  // Non-enumerable so that JSON.stringify / pino never print it by accident.
  Object.defineProperty(config, 'secrets', { value: secrets, enumerable: false });
  return config;
}

/** The configuration as safe to show: secrets reduced to set/unset. */
export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, string> = {};
  for (const [name, key] of Object.entries(secretEnv())) shown[name] = config.secrets[key] ? '(set)' : '(unset)';
  return { ...structuredClone(config), secrets: shown };
}

function coerce(raw: string, current: unknown): unknown {
  if (typeof current === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (typeof current === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (Array.isArray(current)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a key's value came from: the key itself or the nearest enclosing key that was set. */
function sourceOf(sources: Map<string, string>, key: string): string {
  for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
    const from = sources.get(k);
    if (from) return from;
  }
  return 'defaults';
}

/** TypeBox's message, with the allowed values instead of "Expected union value" for a choice. */
function describeError(e: ValueError): string {
  const options = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (options?.every((o) => o.const !== undefined)) return `must be one of ${options.map((o) => JSON.stringify(o.const)).join(', ')}`;
  return e.message;
}

/** "unknown key …" for every key of `given` that `known` (the defaults) does not have. */
function unknownKeys(given: Record<string, unknown>, known: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (!(k in known)) {
      out.push(`unknown key "${key}" (known${prefix ? ` in ${prefix}` : ''}: ${Object.keys(known).join(', ')})`);
      continue;
    }
    // Maps (regionMap etc.) and arrays take any keys; only recurse into fixed-shape sections.
    const inner = known[k];
    if (isPlainObject(v) && isPlainObject(inner) && Object.keys(inner).length > 0 && !k.endsWith('Map')) out.push(...unknownKeys(v, inner, key));
  }
  return out;
}

function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  prefix: string,
  sources: Map<string, string>,
  source: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && isPlainObject(base[k]) && !k.endsWith('Map')) {
      out[k] = deepMerge(base[k] as Record<string, unknown>, v, key, sources, source);
    } else {
      out[k] = v;
      sources.set(key, source);
    }
  }
  return out;
}

function getPath(obj: Record<string, unknown>, keyPath: string): unknown {
  return keyPath.split('.').reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, keyPath: string, value: unknown) {
  const keys = keyPath.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}
