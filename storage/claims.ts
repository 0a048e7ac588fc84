// Read-modify-write that is atomic on FerretDB 1.24 as on MongoDB.
//
// FerretDB 1.24 applies an update by reading the document, changing it in Go and
// writing the whole document back, with nothing in between: two concurrent updates of
// one document can each lose the other's change, and a conditional update
// (`{_id, version: 1}`) can report success to both writers. Inserts are atomic: the
// unique `_id` index refuses the second of two inserts of one id. So a change of a
// document first claims its next revision by inserting `<collection>:<id>:r<n+1>` into
// `claims` (n = the document's `_rev` as read); only the claimer writes revision n+1,
// and a writer that loses the claim re-reads and plans again. Writes to one document
// are thereby serialised: nobody can claim n+2 before reading revision n+1, which exists
// only once its single write has finished.
//
// A writer that dies between claim and write would block the document. A claim whose
// writer is a dead process on this host, or older than LEASE_MS (writers on other
// hosts), and whose document still shows the revision before it, is skipped: one
// recoverer (again by a unique insert, `<claim>:skip`) writes `_rev: n+1` and nothing
// else, so the dead writer's change is dropped (it never answered success). A live
// writer never writes later than WRITE_DEADLINE_MS after its read, so it cannot race
// the recoverer; past the deadline it gives its claim up and plans again.
import { hostname } from 'node:os';
import type { Collection } from 'mongodb';

export const CLAIMS_COLLECTION = 'claims';

export const LEASE_MS = 60_000;
export const WRITE_DEADLINE_MS = 15_000;
/** Claims older than this are never contested again (see pruneClaims). */
const PRUNE_AFTER_MS = 10 * LEASE_MS;

export interface ClaimDoc {
  _id: string;
  at: Date;
  /** Which process claimed it (host:pid), for operators reading a stuck claim. */
  by: string;
}

/** The store cannot give a writer the next revision in time (many writers on one document). */
export class StoreConflict extends Error {
  readonly statusCode = 409;
}

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] };
  return e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000));
}

const HOST = hostname();
const OWNER = `${HOST}:${process.pid}`;

/** True when `pid` on `host` is this host and no process has it (any other host: unknown, false). */
export function localProcessGone(host: string | undefined, pid: number | undefined): boolean {
  if (host !== HOST || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid as number, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class Claims {
  constructor(private readonly coll: Collection<ClaimDoc>) {}

  /** True when this caller now owns revision `rev` of `docKey` ("<collection>:<id>"). */
  async claim(docKey: string, rev: number): Promise<boolean> {
    try {
      await this.coll.insertOne({ _id: claimId(docKey, rev), at: new Date(), by: OWNER });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /**
   * When the claim of revision `rev` is older than the lease, wins the right to skip it
   * (one recoverer only). The caller then writes `_rev: rev` if the document still shows rev-1.
   */
  async takeOverStale(docKey: string, rev: number, now = Date.now()): Promise<boolean> {
    const claim = await this.coll.findOne({ _id: claimId(docKey, rev) });
    if (!claim) return false;
    const [host, pid] = claim.by.split(':');
    const gone = localProcessGone(host, Number(pid)) || now - new Date(claim.at).getTime() >= LEASE_MS;
    return gone && this.claim(`${docKey}:skip`, rev);
  }

  /** Drops claims no writer can still contest. One scan: call it rarely (on start). */
  async prune(now = Date.now()): Promise<number> {
    return (await this.coll.deleteMany({ at: { $lt: new Date(now - PRUNE_AFTER_MS) } })).deletedCount;
  }
}

function claimId(docKey: string, rev: number): string {
  return `${docKey}:r${rev}`;
}
