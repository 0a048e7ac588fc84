// API keys: `rw_<id>_<secret>`. The id is public (it names the key in logs and the
// audit trail); only an scrypt hash of the secret, with its own salt, is stored.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Store } from '../storage/store';
import type { ApiKey, Role } from '../storage/types';
import { writeAudit } from './audit';

const scrypt = promisify(scryptCb) as (secret: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number }) => Promise<Buffer>;

export const ROLES: readonly Role[] = ['analyst', 'policy', 'admin'];
/** What each role may do; higher roles include the lower ones. */
export const ROLE_RANK: Record<Role, number> = { analyst: 1, policy: 2, admin: 3 };

const SCRYPT = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;
export const KEY_PATTERN = /^rw_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface CreatedKey {
  id: string;
  /** The full key; shown once, never stored. */
  key: string;
  role: Role;
  name: string;
  createdAt: Date;
}

async function hashSecret(secret: string, salt: Buffer): Promise<Buffer> {
  return scrypt(secret, salt, KEYLEN, SCRYPT);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as string[]).includes(v);
}

export async function createApiKey(store: Store, opts: { role: Role; name?: string; actor: string }): Promise<CreatedKey> {
  if (!isRole(opts.role)) throw new Error(`role must be one of ${ROLES.join(', ')}, got "${String(opts.role)}"`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const hash = await hashSecret(secret, salt);
  const createdAt = new Date();
  const name = opts.name?.trim() || `${opts.role} key`;
  const doc: ApiKey = { _id: id, hash: hash.toString('hex'), salt: salt.toString('hex'), role: opts.role, name, createdAt };
  await store.apiKeys.insertOne(doc);
  await writeAudit(store, { actor: opts.actor, action: 'key.create', target: `api_key:${id}`, after: { role: opts.role, name } });
  return { id, key: `rw_${id}_${secret}`, role: opts.role, name, createdAt };
}

export function parseKey(presented: string): { id: string; secret: string } | null {
  const m = KEY_PATTERN.exec(presented);
  return m ? { id: m[1], secret: m[2] } : null;
}

/** Hashed for unknown and revoked key ids, so that a failure costs what a wrong secret costs (no id probing by timing). */
const DUMMY = { salt: randomBytes(16), hash: randomBytes(KEYLEN) };

/**
 * Checks a presented key. `lookup` reads the key document (the server passes its live
 * key view, which drops a document as soon as the change log names it, so a
 * revocation by another process takes effect within the sync lag). Only the scrypt
 * result is cached, keyed by the stored hash, since scrypt costs ~50 ms.
 */
export class KeyVerifier {
  private verified = new Map<string, string>();
  constructor(private readonly lookup: (id: string) => Promise<ApiKey | null>) {}

  /**
   * `cachedOnly`: answer only from the cache of verified keys (no scrypt), null otherwise.
   * `hashIn`: runs the scrypt (e.g. through a narrow gate for suspect callers).
   */
  async verify(presented: string, opts: { cachedOnly?: boolean; hashIn?: <T>(work: () => Promise<T>) => Promise<T> } = {}): Promise<ApiKey | null> {
    const parsed = parseKey(presented);
    if (!parsed) return null;
    const found = await this.lookup(parsed.id);
    const doc = found && !found.revokedAt ? found : null;
    if (doc && this.verified.get(presented) === doc.hash) return doc;
    if (opts.cachedOnly) return null;
    const expected = doc ? Buffer.from(doc.hash, 'hex') : DUMMY.hash;
    const hash = () => hashSecret(parsed.secret, doc ? Buffer.from(doc.salt, 'hex') : DUMMY.salt);
    const actual = await (opts.hashIn ? opts.hashIn(hash) : hash());
    if (!doc || expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(presented, doc.hash);
    return doc;
  }
}

export type KeyInfo = Omit<ApiKey, 'hash' | 'salt'>;

export function keyInfo(k: ApiKey): KeyInfo {
  const { hash: _h, salt: _s, _rev: _r, ...rest } = k as ApiKey & { _rev?: number };
  return rest;
}

export async function listApiKeys(store: Store): Promise<KeyInfo[]> {
  const keys = await store.apiKeys.find({}, { sort: { createdAt: 1 } });
  return keys.map(keyInfo);
}

export async function revokeApiKey(store: Store, id: string, actor: string): Promise<KeyInfo | null> {
  const revokedAt = new Date();
  // A claimed update: a concurrent lastUsedAt write (server/auth.ts) cannot undo the revocation.
  const r = await store.apiKeys.update(id, (key) => (key.revokedAt ? null : { set: { revokedAt } }));
  if (!r) return null;
  if (r.changed) await writeAudit(store, { actor, action: 'key.revoke', target: `api_key:${id}`, before: { revokedAt: null }, after: { revokedAt } });
  return keyInfo(r.doc);
}

/** Records that a key was used; never touches a revoked key (and cannot undo a revocation). */
export async function touchApiKey(store: Store, id: string, at: Date): Promise<void> {
  await store.apiKeys.update(id, (key) => (key.revokedAt ? null : { set: { lastUsedAt: at } }));
}
