// The append-only audit trail: every write through the API or the CLI lands here
// with who, when, what and the before/after values.
import { randomUUID } from 'node:crypto';
import type { Store } from '../storage/store';
import type { AuditEntry } from '../storage/types';

export async function writeAudit(store: Store, entry: Omit<AuditEntry, '_id' | 'at'> & { at?: Date }): Promise<AuditEntry> {
  const at = entry.at ?? new Date();
  const doc: AuditEntry = { ...entry, at, _id: `${at.toISOString()}:${randomUUID().slice(0, 8)}` };
  await store.audit.insertOne(doc);
  return doc;
}

export async function auditFor(store: Store, target: string): Promise<AuditEntry[]> {
  return store.audit.find({ target }, { sort: { at: 1, _id: 1 } });
}

/** The CLI's actor name: the OS user, so the audit trail says who ran the command. */
export function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}
