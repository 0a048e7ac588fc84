// The policy review workflow of a ring: status new → in_review → confirmed | dismissed
// (RING_TRANSITIONS in storage/types.ts; dismissal needs a reason), reopening back to in_review, notes and an assignee. Each
// change bumps `version`; an edit based on an older version is refused (409). The store
// write is a claimed read-modify-write (Repository.update, storage/claims.ts), so of two
// edits of one version, in one process or several, exactly one wins; the audit entry is
// written by the winner only, after its write.
import type { Store } from '../storage/store';
import { type AuditEntry, RING_TRANSITIONS as TRANSITIONS, type Ring, type RingStatus } from '../storage/types';
import { writeAudit } from './audit';

export interface ReviewChange {
  /** The ring version the edit was based on. */
  version: number;
  status?: RingStatus;
  /** Why: required to dismiss, kept with the status. */
  reason?: string;
  /** Who works on it; null clears. */
  assignee?: string | null;
  note?: string;
}

export class ReviewError extends Error {
  constructor(
    readonly statusCode: 400 | 404 | 409,
    message: string,
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

type ReviewFields = Pick<Ring, 'status' | 'statusReason' | 'assignee' | 'notes' | 'version'>;

/** Pure: the fields to write for `change`, or why it is refused. */
export function planReview(ring: ReviewFields, change: ReviewChange, actor: string, now: Date): { set: Partial<Ring>; unset: string[]; before: Partial<Ring>; after: Partial<Ring> } {
  if (change.version !== ring.version) {
    throw new ReviewError(409, `the ring was changed by someone else (your version ${change.version}, current ${ring.version}): reload it and apply your edit again`, ring.version);
  }
  const set: Partial<Ring> = {};
  const unset: string[] = [];
  const before: Partial<Ring> = {};
  const after: Partial<Ring> = {};
  if (change.status !== undefined && change.status !== ring.status) {
    if (!TRANSITIONS[ring.status].includes(change.status)) {
      throw new ReviewError(400, `a ring cannot move from ${ring.status} to ${change.status}; from ${ring.status} it can go to ${TRANSITIONS[ring.status].join(' or ')}`);
    }
    const reason = change.reason?.trim();
    if (change.status === 'dismissed' && !reason) throw new ReviewError(400, 'dismissing a ring needs a reason');
    before.status = ring.status;
    after.status = change.status;
    set.status = change.status;
    before.statusReason = ring.statusReason;
    if (reason) {
      set.statusReason = reason;
      after.statusReason = reason;
    } else if (ring.statusReason !== undefined) unset.push('statusReason');
  } else if (change.reason?.trim() && change.reason.trim() !== ring.statusReason) {
    before.statusReason = ring.statusReason;
    set.statusReason = after.statusReason = change.reason.trim();
  }
  if (change.assignee !== undefined && (change.assignee ?? undefined) !== ring.assignee) {
    before.assignee = ring.assignee;
    const a = change.assignee?.trim();
    if (a) set.assignee = after.assignee = a;
    else unset.push('assignee');
  }
  if (change.note?.trim()) {
    const note = { at: now, by: actor, text: change.note.trim() };
    set.notes = [...(ring.notes ?? []), note];
    after.notes = [note];
  }
  if (Object.keys(set).length === 0 && unset.length === 0) throw new ReviewError(400, 'nothing to change: give a status, reason, assignee or note');
  set.version = ring.version + 1;
  return { set, unset, before, after };
}

export class RingReviews {
  constructor(private readonly store: Store) {}

  async apply(ringId: string, change: ReviewChange, actor: string): Promise<{ ring: Ring; audit: AuditEntry }> {
    const now = new Date();
    let plan: ReturnType<typeof planReview> | undefined;
    let based = 0;
    // planReview runs on the ring as stored; it refuses (409) once another edit moved the version.
    const written = await this.store.rings.update(ringId, (ring) => {
      based = ring.version;
      plan = planReview(ring, change, actor, now);
      return { set: plan.set, unset: plan.unset };
    });
    if (!written || !plan) throw new ReviewError(404, `no ring ${ringId}`);
    const audit = await writeAudit(this.store, {
      at: now,
      actor,
      action: 'ring.review',
      target: `ring:${ringId}`,
      before: { ...plan.before, version: based },
      after: { ...plan.after, version: plan.set.version },
    });
    return { ring: written.doc, audit };
  }
}
