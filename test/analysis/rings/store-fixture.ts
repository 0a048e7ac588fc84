// Writes a detection fixture (test/analysis/rings/fixture.ts) into a test store as crawled posts and accounts.
import pino from 'pino';
import { isoWeek } from '../../../analysis/time';
import type { JobContext } from '../../../jobs/types';
import type { Store } from '../../../storage/store';
import type { testStore } from '../../helpers/store';
import type { Account, Post } from '../../../storage/types';
import type { Fixture } from './fixture';

export async function seedStore(store: Store, f: Fixture, now = new Date()): Promise<void> {
  const posts: Post[] = f.posts.map((p) => ({
    ...p,
    author: p.author ?? '',
    kind: 'review',
    externalId: p._id,
    week: isoWeek(p.createdAt),
    source: 'test',
    fetchedAt: now,
  })) as Post[];
  const accounts: Account[] = f.accounts.map((a) => ({ ...a, firstSeenAt: now, lastSeenAt: now }));
  await store.posts.upsertMany(posts);
  await store.accounts.upsertMany(accounts);
}

/** A quiet job context on a test store, for running jobs directly. */
export function ctxFor(store: Awaited<ReturnType<typeof testStore>>, runId: string): JobContext {
  return { store, config: store.config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId };
}
