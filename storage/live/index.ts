// The server's in-memory views of accounts, posts and API keys, kept in step with
// the store by the change log. Routes call `fresh([...collections])` first.
import type { Logger } from 'pino';
import type { Store } from '../store';
import { AccountView } from './accounts';
import { KeyView } from './keys';
import { PostView } from './posts';
import { LiveSync } from './sync';

export interface LiveViews {
  accounts: AccountView;
  posts: PostView;
  keys: KeyView;
  fresh(collections: readonly ('accounts' | 'posts' | 'api_keys')[]): Promise<void>;
  /** Starts loading (the first request would otherwise start it). */
  start(): Promise<void>;
  close(): void;
}

export function createLiveViews(store: Store, log?: Logger): LiveViews {
  const accounts = new AccountView(store);
  const posts = new PostView(store);
  const keys = new KeyView(store);
  const sync = new LiveSync(store, [accounts, posts, keys], log);
  return {
    accounts,
    posts,
    keys,
    fresh: (collections) => sync.fresh(collections),
    start: () => sync.start(),
    close: () => sync.close(),
  };
}
