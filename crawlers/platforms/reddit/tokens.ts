// Reddit access tokens shared by every RedditSource of a process, one per credential.
//
// A distributed crawl builds a source for each unit batch (jobs/distributed/crawl-unit.ts),
// and each new snoowrap client used to log in again. Logins go through the token endpoint's
// gate, for which Reddit sends no rate headers, so it admits one login per second over all
// workers: two workers' batches queued behind each other's logins for up to 3.8 s each
// (7–10 s of unit time in a 17 s crawl of test/faults/workers.test.ts) while the
// credential's request budget went unused. A token lasts an hour (expires_in): it is now
// reused while more than TOKEN_MARGIN_MS of it is left, fetched once however many sources
// ask for it at the same time, and forgotten when the API refuses it (401).
import { createHash } from 'node:crypto';

export interface AccessToken {
  token: string;
  /** Local epoch ms. */
  expiresAt: number;
}

/** A token this close to its end is not handed out again (snoowrap's MAX_TOKEN_LATENCY: a request may still be in flight when it ends). */
export const TOKEN_MARGIN_MS = 10_000;

export class AccessTokens {
  private readonly held = new Map<string, AccessToken>();
  private readonly pending = new Map<string, Promise<AccessToken>>();

  /** The credential's token while it lasts; otherwise one `fetch`, shared by everyone who asks meanwhile. */
  get(key: string, fetch: () => Promise<AccessToken>, now = Date.now()): Promise<AccessToken> {
    const t = this.held.get(key);
    if (t && t.expiresAt - now > TOKEN_MARGIN_MS) return Promise.resolve(t);
    let p = this.pending.get(key);
    if (!p) {
      p = fetch()
        .then((fresh) => {
          this.held.set(key, fresh);
          return fresh;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  /** The API refused `token` (revoked, or ended early): the next `get` fetches a new one. */
  drop(key: string, token: string): void {
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }
}

/** The tokens of this process. */
export const processTokens = new AccessTokens();

/** Names a credential (token endpoint, app, user) without keeping its secrets in the clear. */
export function credentialKey(authBase: string, c: { clientId: string; clientSecret: string; username?: string; password?: string; refreshToken?: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([authBase, c.clientId, c.clientSecret, c.username ?? '', c.password ?? '', c.refreshToken ?? '']))
    .digest('hex');
}
