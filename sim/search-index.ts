// An inverted index for the X imitation's recent search: word → the tweets containing it,
// newest first. A search page then walks only the tweets that can match (and starts at
// its cursor by binary search) instead of the whole pool from the top: on the medium
// world a deep page of a common word cost ~3 ms of scanning before.
import { normalise, type QueryNode } from './query';
import type { Tweet } from './world';

/** Snowflake ids as decimal strings: longer is larger. */
export function cmpId(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The first index of a newest-first list whose id is below `id`. */
export function firstOlderThan(list: readonly Tweet[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmpId(list[mid].id, id) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function words(normalised: string): Set<string> {
  return new Set(normalised.split(' ').filter(Boolean));
}

/** Merges newest-first lists into one, each tweet once. */
function union(lists: Tweet[][]): Tweet[] {
  return lists.reduce((a, b) => {
    const out: Tweet[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const c = i === a.length ? 1 : j === b.length ? -1 : -cmpId(a[i].id, b[j].id);
      if (c <= 0) out.push(a[i++]);
      if (c >= 0) out.push(b[j++]);
      // Equal ids: the same tweet, taken once from each list above; keep one.
      if (c === 0) out.pop();
    }
    return out;
  });
}

export class TweetIndex {
  private readonly postings = new Map<string, Tweet[]>();

  /** `newestFirst`: the pool sorted by id, newest first; `textOf`: a tweet's normalised text. */
  constructor(
    newestFirst: readonly Tweet[],
    private readonly textOf: (t: Tweet) => string,
  ) {
    for (const t of newestFirst) {
      for (const w of words(textOf(t))) {
        const list = this.postings.get(w);
        if (list) list.push(t);
        else this.postings.set(w, [t]);
      }
    }
  }

  /** A tweet published now, newer than every tweet indexed. */
  addNewest(t: Tweet): void {
    for (const w of words(this.textOf(t))) {
      const list = this.postings.get(w);
      if (list) list.unshift(t);
      else this.postings.set(w, [t]);
    }
  }

  /**
   * Tweets that can match the query, newest first: every match is among them (the query
   * itself still decides). null when any tweet can match (negations, operators).
   */
  candidates(node: QueryNode): Tweet[] | null {
    switch (node.kind) {
      case 'text': {
        // A phrase matches only tweets holding each of its words: the rarest word bounds it.
        const ws = [...words(normalise(node.value, false))];
        if (ws.length === 0) return null;
        return ws.map((w) => this.postings.get(w) ?? []).reduce((a, b) => (b.length < a.length ? b : a));
      }
      case 'and': {
        const lists = node.items.map((n) => this.candidates(n)).filter((l): l is Tweet[] => l !== null);
        return lists.length ? lists.reduce((a, b) => (b.length < a.length ? b : a)) : null;
      }
      case 'or': {
        const lists = node.items.map((n) => this.candidates(n));
        return lists.some((l) => l === null) ? null : union(lists as Tweet[][]);
      }
      default:
        return null;
    }
  }
}
