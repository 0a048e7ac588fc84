// Keeps the server's in-memory views of logged collections in step with the store,
// through the change log (storage/changes.ts). A request calls `fresh()` before it
// reads a view; it then sees every write this process finished before it arrived,
// and writes by other processes up to MAX_LAG_MS old. Polls are shared: all requests
// that arrived before a poll started wait for that one poll (one `_id` look-up when
// nothing changed), so the store sees at most one poll per MAX_LAG_MS under load.
//
// Small change sets are applied before the waiting requests go on (read-your-writes);
// a large one (a detection run rescoring every account) or one the log cannot name
// reloads the view in the background while requests are answered from the old one.
import type { Logger } from 'pino';
import { ChangeLog } from '../changes';
import type { Store } from '../store';

/** How old a write by another process may be and still not be seen. */
export const MAX_LAG_MS = 100;
/** Up to this many changed ids are re-read before answering; more reload in the background. */
export const APPLY_LIMIT = 500;

export interface MirroredView {
  readonly collection: string;
  /** Loads the whole collection; until it resolves the view keeps answering from what it had. */
  reload(): Promise<void>;
  /** Re-reads these ids (an id no longer stored is dropped). */
  apply(ids: string[]): Promise<void>;
  /** Whether reload() must run before the view can answer (false for lazily filled caches). */
  readonly needsInitialLoad: boolean;
}

interface ViewState {
  view: MirroredView;
  seq: number;
  loaded: boolean;
  ready?: Promise<void>;
  reloading: boolean;
  reloadAgain: boolean;
  pending: Set<string>;
}

interface Poll {
  tick: number;
  startedAt: number;
  done: Promise<void>;
}

export class LiveSync {
  private states = new Map<string, ViewState>();
  private tick = 0;
  private running?: Poll;
  private next?: Promise<void>;
  private lastCompleted?: Poll;
  private localWriteTick = 0;
  private started?: Promise<void>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    views: MirroredView[],
    private readonly log?: Logger,
  ) {
    for (const view of views) this.states.set(view.collection, { view, seq: 0, loaded: false, reloading: false, reloadAgain: false, pending: new Set() });
    this.unsubscribe = ChangeLog.onAppend(() => {
      this.localWriteTick = ++this.tick;
    });
  }

  /** Reads the log's heads, then loads the views that need it (in the background; `fresh` waits). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const heads = await this.store.changes.heads();
      for (const st of this.states.values()) {
        st.seq = heads[st.view.collection] ?? 0;
        if (st.view.needsInitialLoad && !st.ready) {
          st.ready = this.initialLoad(st);
          st.ready.catch(() => {}); // a request waiting on it gets the error
        }
      }
    })();
    this.started.catch(() => {
      this.started = undefined;
    });
    return this.started;
  }

  /** Waits until the named views are loaded and include every write that finished before this call. */
  async fresh(collections: readonly string[]): Promise<void> {
    const arrival = ++this.tick;
    await this.start();
    for (const c of collections) {
      const st = this.states.get(c);
      if (!st) throw new Error(`no live view of ${c}`);
      if (st.view.needsInitialLoad && !st.loaded) {
        st.ready ??= this.initialLoad(st);
        await st.ready;
      }
    }
    const last = this.lastCompleted;
    if (last && last.tick > this.localWriteTick && Date.now() - last.startedAt < MAX_LAG_MS) return;
    await this.pollStartedAfter(arrival);
  }

  close(): void {
    this.unsubscribe();
  }

  private async initialLoad(st: ViewState): Promise<void> {
    try {
      await st.view.reload();
      await this.applyPending(st);
      st.loaded = true;
    } finally {
      // On failure the next request tries again (and gets the error meanwhile).
      st.ready = undefined;
    }
  }

  /** Changes that arrived while a load ran, applied after it so its older snapshot cannot overwrite them. */
  private async applyPending(st: ViewState): Promise<void> {
    while (st.pending.size > 0) {
      const ids = [...st.pending];
      st.pending.clear();
      await st.view.apply(ids);
    }
  }

  private pollStartedAfter(arrival: number): Promise<void> {
    if (this.running && this.running.tick > arrival) return this.running.done;
    if (!this.running) return this.startPoll().done;
    // A poll is running that may have read the heads before this request's writes: wait for it, then one more.
    this.next ??= this.running.done
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return (this.running ?? this.startPoll()).done;
      });
    return this.next;
  }

  private startPoll(): Poll {
    const poll: Poll = { tick: ++this.tick, startedAt: Date.now(), done: Promise.resolve() };
    poll.done = this.poll()
      .then(() => {
        this.lastCompleted = poll;
      })
      .finally(() => {
        if (this.running === poll) this.running = undefined;
      });
    this.running = poll;
    return poll;
  }

  private async poll(): Promise<void> {
    const heads = await this.store.changes.heads();
    await Promise.all(
      [...this.states.values()].map(async (st) => {
        const c = await this.store.changes.since(st.view.collection, st.seq, heads[st.view.collection] ?? 0);
        st.seq = c.seq;
        const loading = st.reloading || st.ready !== undefined;
        if (c.ids === 'all' || c.ids.size > APPLY_LIMIT || (st.reloadAgain && !loading)) {
          // During the initial load, reload once it is done (the next poll starts it).
          if (st.ready) st.reloadAgain = true;
          else this.reloadInBackground(st);
          return;
        }
        if (c.ids.size === 0) return;
        if (loading) {
          // Applied when the running load finishes, so that its older snapshot cannot overwrite them.
          for (const id of c.ids) st.pending.add(id);
          return;
        }
        await st.view.apply([...c.ids]);
      }),
    );
  }

  private reloadInBackground(st: ViewState): void {
    if (st.reloading) {
      st.reloadAgain = true;
      return;
    }
    st.reloading = true;
    const run = async () => {
      for (;;) {
        if (st.reloadAgain) {
          st.reloadAgain = false;
          st.pending.clear();
          await st.view.reload();
          continue;
        }
        if (st.pending.size > 0) {
          await this.applyPending(st);
          continue;
        }
        // Checked and cleared in one step: a poll after this applies its changes itself.
        st.reloading = false;
        return;
      }
    };
    st.reloadAgain = true;
    run().catch((err) => {
      this.log?.error({ err, collection: st.view.collection }, 'reloading a live view failed; the next poll retries');
      st.reloading = false;
      st.reloadAgain = true;
    });
  }
}
