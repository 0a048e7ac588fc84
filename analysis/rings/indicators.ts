// Group indicators in the spirit of GSRank (Mukherjee et al., WWW 2012), each a value in
// its own unit and a score 0–1 with one sentence an analyst can read aloud. Indicators
// whose data is missing (no ratings, no text, no creation dates) are left out rather
// than guessed, so imported reviews without text are scored on what they have.
import type { Indicator } from '../../storage/types';
import type { AccountGraph } from '../graph/build';
import { minhashJaccard, postObjects } from '../graph/coactions';
import { SignatureWords } from '../graph/near-duplicate-pairs';
import { memoByObject } from '../memo';
import { DEFAULT_GRAPH_OPTIONS } from '../graph/types';
import { adjacency, markNodes } from './adjacency';
import { clamp01, DAY_MS, type DetectionContext, round } from './context';
import { column } from '../columns';

export interface GroupIndicatorOptions {
  /** Posts of two members on one product this close in time are in lock-step. */
  lockStepMs: number;
  /** Accounts younger than this at their first post count as new. */
  newAccountMs: number;
  /** Members created within this of another member form a creation burst. */
  creationBurstMs: number;
  /** Two members sharing one object this close in time co-share it (the graph's co-share window). */
  coShareWindowMs: number;
}

export const DEFAULT_GROUP_INDICATOR_OPTIONS: GroupIndicatorOptions = {
  lockStepMs: 12 * 3_600_000,
  newAccountMs: 365 * DAY_MS,
  creationBurstMs: DAY_MS,
  coShareWindowMs: DEFAULT_GRAPH_OPTIONS.coShareWindowMs,
};

export interface GroupFacts {
  /** Products at least two members posted on (the group's "support"); else all members' products. */
  products: string[];
  /** Indices of members' posts on those products. */
  posts: number[];
  /** Whether any member's post is about a product (review-style data) at all. */
  hasProducts: boolean;
}

/**
 * The members' posts on each product, in time order (= index order): what filtering every
 * product's posts by membership gives, built from the members' own posts. The filter, once
 * per group and product, made the indicators O(groups × product size), quadratic when a
 * catalogue's products gather more posts (3 × the medium world: over 5 min).
 */
export function memberPostsByProduct(members: ReadonlySet<string>, ctx: DetectionContext): Map<string, number[]> {
  const byProduct = new Map<string, number[]>();
  for (const m of members) {
    for (const i of ctx.postsByAccount.get(m) ?? []) {
      for (const prod of ctx.productsOfPost[i]) {
        const list = byProduct.get(prod);
        if (list) list.push(i);
        else byProduct.set(prod, [i]);
      }
    }
  }
  for (const list of byProduct.values()) list.sort((a, b) => a - b);
  return byProduct;
}

/**
 * Per-product marks reused by every group of one context (the group loop scores tens of
 * thousands of groups: a Map and a Set per product per group were most of its time and
 * garbage). A mark is valid for the group whose stamp range it falls in; stamps only grow.
 */
interface ProductMarks {
  /** Last stamp that touched the product (a member's stamp while counting). */
  seen: Float64Array;
  /** Distinct members with a post on the product, for the group that last touched it. */
  members: Int32Array;
  /** Stamp of the group whose support the product is in. */
  support: Float64Array;
  /** Place of a support product in the group's sorted `products`. */
  slot: Int32Array;
  stamp: number;
}

const productMarks = memoByObject((ctx: DetectionContext): ProductMarks => {
  const n = ctx.productList.length;
  return { seen: column(Float64Array, n), members: column(Int32Array, n), support: column(Float64Array, n), slot: column(Int32Array, n), stamp: 0 };
});

/** A group's facts with what the indicators read from them: valid until the next group of the same context is analysed. */
interface GroupAnalysis {
  facts: GroupFacts;
  marks: ProductMarks;
  /** The group's stamp: `marks.support[q] === stamp` when product number q is in facts.products. */
  stamp: number;
  /** Members' posts on facts.products[k], in time order. */
  postsOn: number[][];
  /** Distinct members posting on facts.products[k]. */
  membersOn: Int32Array;
}

function analyseGroup(members: readonly string[], memberSet: ReadonlySet<string>, ctx: DetectionContext): GroupAnalysis {
  const marks = productMarks(ctx);
  const { productOffsets: off, productIdsOfPost: ids } = ctx;
  // Distinct members per product (each member stamps a product once).
  const start = marks.stamp + 1;
  const touched: number[] = [];
  for (const m of memberSet) {
    const me = ++marks.stamp;
    for (const i of ctx.postsByAccount.get(m) ?? []) {
      for (let k = off[i]; k < off[i + 1]; k++) {
        const q = ids[k];
        if (marks.seen[q] < start) {
          marks.members[q] = 0;
          touched.push(q);
        }
        if (marks.seen[q] !== me) {
          marks.seen[q] = me;
          marks.members[q]++;
        }
      }
    }
  }
  const stamp = ++marks.stamp;
  let support = touched.filter((q) => marks.members[q] >= 2);
  if (support.length === 0) support = touched;
  const products = support.map((q) => ctx.productList[q]).sort();
  const membersOn = column(Int32Array, products.length);
  const postsOn: number[][] = products.map(() => []);
  for (let k = 0; k < products.length; k++) {
    const q = ctx.productIndex.get(products[k]) as number;
    marks.support[q] = stamp;
    marks.slot[q] = k;
    membersOn[k] = marks.members[q];
  }
  const posts: number[] = [];
  for (const m of members) {
    for (const i of ctx.postsByAccount.get(m) ?? []) {
      if (off[i] === off[i + 1]) {
        posts.push(i);
        continue;
      }
      for (let k = off[i]; k < off[i + 1]; k++) {
        if (marks.support[ids[k]] === stamp) {
          posts.push(i);
          break;
        }
      }
    }
  }
  posts.sort((x, y) => x - y);
  // Sorted, so a post of a member listed twice comes twice in a row: each list takes it once.
  for (let k = 0; k < posts.length; k++) {
    const i = posts[k];
    if (k > 0 && posts[k - 1] === i) continue;
    for (let j = off[i]; j < off[i + 1]; j++) if (marks.support[ids[j]] === stamp) postsOn[marks.slot[ids[j]]].push(i);
  }
  return { facts: { products, posts, hasProducts: touched.length > 0 }, marks, stamp, postsOn, membersOn };
}

export function groupFacts(members: readonly string[], ctx: DetectionContext): GroupFacts {
  return analyseGroup(members, new Set(members), ctx).facts;
}

/** What every group indicator reads: the members, the detection context, the group's facts. */
export interface GroupView {
  members: readonly string[];
  memberSet: ReadonlySet<string>;
  ctx: DetectionContext;
  graph: AccountGraph;
  opts: GroupIndicatorOptions;
  facts: GroupFacts;
  /** Members' posts on one product. */
  postsOn(prod: string): readonly number[];
  /** Members' posts on facts.products[k] (postsOn by place). */
  postsOnSupport: readonly (readonly number[])[];
  /** Distinct members with a post on facts.products[k]. */
  membersOnSupport: Int32Array;
  /** Whether post i is about one of facts.products. */
  onSupport(postIndex: number): boolean;
  /** Members' creation times in ms, where the platform reports them, in member order. */
  creationTimes: readonly number[];
  /** Co-share indicators (coShareIndicators); empty when members share no objects. */
  shares: Indicator[];
  /** A group that only shares objects (co-action imports, retweets) cannot show the product indicators: they are absent, not 0. */
  productsApply: boolean;
}

/** One indicator from a group, or none when its data is missing. */
export type GroupIndicator = (g: GroupView) => Indicator | readonly Indicator[] | undefined;

/** Support count: products reviewed by ≥ 2 members. */
export const supportCount: GroupIndicator = ({ membersOnSupport, productsApply }) => {
  if (!productsApply) return undefined;
  let support = 0;
  for (const n of membersOnSupport) if (n >= 2) support++;
  return {
    name: 'support_count',
    value: support,
    score: clamp01(support / 3),
    explanation: `${support} product(s) were posted about by at least two members of this group.`,
  };
};

/** Co-shares of objects (coShareIndicators), computed once per group. */
export const coShares: GroupIndicator = ({ shares }) => shares;

/**
 * How many of the posts (times t, accounts a) have a post by another account within
 * `windowMs`. In time order the closest other account's post before a post is the last
 * one by another account, after it the next one: two passes instead of all pairs (a
 * large organic group put thousands of posts on one product).
 */
export function postsNearAnother(t: ArrayLike<number>, a: ArrayLike<string> | ArrayLike<number>, windowMs: number): number {
  const n = t.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (t[i] < t[i - 1]) sorted = false;
  const order = Array.from({ length: n }, (_x, i) => i);
  if (!sorted) order.sort((x, y) => t[x] - t[y]);
  const near = column(Uint8Array, n);
  for (let k = 0, prev = -1; k < n; k++) {
    if (k > 0 && a[order[k - 1]] !== a[order[k]]) prev = k - 1;
    if (prev >= 0 && t[order[k]] - t[order[prev]] <= windowMs) near[k] = 1;
  }
  for (let k = n - 1, next = -1; k >= 0; k--) {
    if (k < n - 1 && a[order[k + 1]] !== a[order[k]]) next = k + 1;
    if (next >= 0 && t[order[next]] - t[order[k]] <= windowMs) near[k] = 1;
  }
  let close = 0;
  for (let k = 0; k < n; k++) close += near[k];
  return close;
}

/**
 * Time window (lock-step): share of members' posts on a shared product that have another
 * member's post on the same product within `lockStepMs`.
 */
export const timeWindow: GroupIndicator = ({ ctx, facts, opts, postsOnSupport }) => {
  if (facts.products.length === 0) return undefined;
  let close = 0;
  let total = 0;
  for (const ps of postsOnSupport) {
    close += postsNearAnother(
      ps.map((i) => ctx.times[i]),
      ps.map((i) => ctx.postAuthor[i]),
      opts.lockStepMs,
    );
    total += ps.length;
  }
  const v = total > 0 ? close / total : 0;
  return {
    name: 'time_window',
    value: round(v, 3),
    score: v,
    explanation: `${Math.round(v * 100)}% of members' posts on shared products came within ${Math.round(opts.lockStepMs / 3_600_000)} hours of another member's post on the same product.`,
  };
};

/**
 * How far members' mean of `of` on each shared product lies from the product's other
 * posters' mean, weighted by members' posts; `sum`/`count` are the product's totals.
 * Undefined when no product has both.
 */
function deviation(
  { ctx, facts, postsOnSupport }: GroupView,
  of: (index: number) => number | undefined,
  totals: (st: NonNullable<ReturnType<DetectionContext['products']['get']>>) => { sum: number; count: number },
  range: number,
): number | undefined {
  let devSum = 0;
  let devN = 0;
  for (let k = 0; k < facts.products.length; k++) {
    const st = ctx.products.get(facts.products[k]);
    if (!st) continue;
    let g = 0;
    let gN = 0;
    for (const i of postsOnSupport[k]) {
      const x = of(i);
      if (x === undefined) continue;
      g += x;
      gN++;
    }
    const { sum, count } = totals(st);
    const othersN = count - gN;
    if (gN > 0 && othersN > 0) {
      devSum += (Math.abs(g / gN - (sum - g) / othersN) / range) * gN;
      devN += gN;
    }
  }
  return devN > 0 ? devSum / devN : undefined;
}

/** Rating deviation from the product's other reviewers. */
export const ratingDeviation: GroupIndicator = (g) => {
  const { rated, ratings } = g.ctx;
  const v = deviation(g, (i) => (rated[i] ? ratings[i] : undefined), (st) => ({ sum: st.ratingSum, count: st.ratingCount }), 4);
  if (v === undefined) return undefined;
  return {
    name: 'rating_deviation',
    value: round(v * 4, 2),
    score: clamp01(v * 2),
    explanation: `Members' average rating differs from the other reviewers of the same products by ${round(v * 4, 1)} stars.`,
  };
};

/** Sentiment deviation from the product's other posters (posts with text only). */
export const sentimentDeviation: GroupIndicator = (g) => {
  const { felt, sentiments } = g.ctx;
  const v = deviation(g, (i) => (felt[i] ? sentiments[i] : undefined), (st) => ({ sum: st.sentimentSum, count: st.sentimentCount }), 2);
  if (v === undefined) return undefined;
  return {
    name: 'sentiment_deviation',
    value: round(v * 2, 2),
    score: clamp01(v * 2),
    explanation: `Members' sentiment differs from other posters on the same products by ${round(v * 2, 2)} (scale −1..1).`,
  };
};

/**
 * The MinHash Jaccard of two of a group's posts by their signatures' low-byte words
 * (SignatureWords): the same value textSimilarity gives, the full comparison only where low
 * bytes agree (a third of the group loop's time was this comparison, ≈ 750k pairs on the
 * medium world, 2.3 µs each). The words are built per group, for the ≤ 40 posts compared:
 * built once for every post of the context they were 128 bytes a post (117 MB at 961k
 * posts) of ArrayBuffer memory, and V8 starts a full garbage collection of the whole heap
 * each time that memory has grown by 64 MB since the last one (≈ 2 s each at 961k posts;
 * docs/benchmarks.md).
 */
interface GroupSignatures {
  /** Post k of the group → its row in `sigs`, −1 without a signature. */
  row: Int32Array;
  sigs: ArrayLike<number>[];
  words: SignatureWords;
  n: number;
}

function groupSignatures(ctx: DetectionContext, posts: readonly number[]): GroupSignatures {
  const row = column(Int32Array, posts.length).fill(-1);
  const sigs: ArrayLike<number>[] = [];
  for (let k = 0; k < posts.length; k++) {
    const m = ctx.posts[posts[k]].enrichment?.minhash;
    if (m && m.length > 0) {
      row[k] = sigs.length;
      sigs.push(m as ArrayLike<number>);
    }
  }
  // The usual length (minhash.ts); other lengths compare in full.
  const n = sigs.length > 0 && sigs[0].length % 4 === 0 ? sigs[0].length : 4;
  return { row, sigs, words: new SignatureWords(sigs, n), n };
}

/** Similarity of the group's posts k and l (indices into the list groupSignatures was given). */
function postSimilarity(ctx: DetectionContext, gs: GroupSignatures, posts: readonly number[], k: number, l: number): number {
  const x = gs.row[k];
  const y = gs.row[l];
  if (x >= 0 && y >= 0) {
    const eq = gs.words.equalPositions(x, y, gs.sigs);
    if (eq >= 0) return eq / gs.n;
  }
  return textSimilarity(ctx.posts[posts[k]], ctx.posts[posts[l]]);
}

/** Content similarity: mean MinHash Jaccard between members' posts (different accounts). */
export const contentSimilarity: GroupIndicator = ({ ctx, facts }) => {
  // The first 40 posts with text (a large group has tens of thousands of posts: no filter over all).
  const textPosts: number[] = [];
  for (let k = 0; k < facts.posts.length && textPosts.length < 40; k++) if (ctx.withText[facts.posts[k]]) textPosts.push(facts.posts[k]);
  if (textPosts.length < 2) return undefined;
  const gs = groupSignatures(ctx, textPosts);
  let s = 0;
  let n = 0;
  for (let x = 0; x < textPosts.length; x++) {
    for (let y = x + 1; y < textPosts.length; y++) {
      if (ctx.postAuthor[textPosts[x]] === ctx.postAuthor[textPosts[y]]) continue;
      s += postSimilarity(ctx, gs, textPosts, x, y);
      n++;
    }
  }
  if (n === 0) return undefined;
  const v = s / n;
  return {
    name: 'content_similarity',
    value: round(v, 3),
    score: clamp01(v / 0.15),
    explanation: `Members' texts overlap by ${Math.round(v * 100)}% on average (estimated Jaccard of word shingles).`,
  };
};

/** Early time frame: how early in the product's observed activity the group posts. */
export const earlyTimeFrame: GroupIndicator = ({ ctx, facts, postsOnSupport }) => {
  if (facts.products.length === 0) return undefined;
  let s = 0;
  for (let k = 0; k < facts.products.length; k++) {
    const st = ctx.products.get(facts.products[k]);
    const ps = postsOnSupport[k];
    if (!st || ps.length === 0) continue;
    const life = st.last - st.first;
    let sum = 0;
    for (const i of ps) sum += ctx.times[i];
    const mean = sum / ps.length;
    s += life > 0 ? clamp01(1 - (mean - st.first) / life) : 1;
  }
  const v = s / facts.products.length;
  return {
    name: 'early_time_frame',
    value: round(v, 3),
    score: v,
    explanation: `Members post ${v > 0.66 ? 'early' : v > 0.33 ? 'midway' : 'late'} in the products' observed activity (1 = at the very start).`,
  };
};

/** Group size (GSRank's logistic of |g| − 3). */
export const groupSize: GroupIndicator = ({ members }) => ({
  name: 'group_size',
  value: members.length,
  score: 1 / (1 + Math.exp(-(members.length - 3))),
  explanation: `${members.length} accounts act together.`,
});

/** Members' creation dates, when the platform reports them (account age and creation burst need two). */
function creationTimesOf(members: readonly string[], ctx: DetectionContext): number[] {
  const out: number[] = [];
  for (const m of members) {
    const t = ctx.accountById.get(m)?.createdAt?.getTime();
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** Member account age: each member's age at its first post on the group's products, 1 − age / newAccountMs. */
export const accountAge: GroupIndicator = (g) => {
  const { members, ctx, opts, onSupport } = g;
  if (g.creationTimes.length < 2) return undefined;
  let ageScore = 0;
  let ageDays = 0;
  let known = 0;
  for (const m of members) {
    const c = ctx.accountById.get(m)?.createdAt?.getTime();
    const ps = ctx.postsByAccount.get(m);
    if (c === undefined || !ps || ps.length === 0) continue;
    let first = ps[0];
    for (const i of ps) {
      if (onSupport(i)) {
        first = i;
        break;
      }
    }
    const age = Math.max(0, ctx.times[first] - c);
    known++;
    ageDays += age / DAY_MS;
    ageScore += clamp01(1 - age / opts.newAccountMs);
  }
  if (known === 0) return undefined;
  return {
    name: 'account_age',
    value: round(ageDays / known, 1),
    score: ageScore / known,
    explanation: `Members were ${Math.round(ageDays / known)} days old on average when they posted about the group's products.`,
  };
};

/** Creation burst: members created within `creationBurstMs` of another member. */
export const creationBurst: GroupIndicator = (g) => {
  const created = g.creationTimes;
  if (created.length < 2) return undefined;
  const { creationBurstMs } = g.opts;
  const sorted = [...created].sort((a, b) => a - b);
  let burst = 0;
  for (let i = 0; i < sorted.length; i++) {
    const near = (i > 0 && sorted[i] - sorted[i - 1] <= creationBurstMs) || (i + 1 < sorted.length && sorted[i + 1] - sorted[i] <= creationBurstMs);
    if (near) burst++;
  }
  return {
    name: 'creation_burst',
    value: burst,
    score: burst / sorted.length,
    explanation: `${burst} of ${sorted.length} members were created within ${Math.round(creationBurstMs / 3_600_000)} hours of another member.`,
  };
};

/** Focus: share of members' posts in the window that are on the group's products. */
export const focus: GroupIndicator = ({ members, ctx, onSupport, productsApply }) => {
  let focusSum = 0;
  let focusN = 0;
  for (const m of members) {
    const ps = ctx.postsByAccount.get(m) ?? [];
    if (ps.length === 0) continue;
    let on = 0;
    for (const i of ps) if (onSupport(i)) on++;
    focusSum += on / ps.length;
    focusN++;
  }
  if (focusN === 0 || !productsApply) return undefined;
  const v = focusSum / focusN;
  return {
    name: 'focus',
    value: round(v, 3),
    score: v,
    explanation: `${Math.round(v * 100)}% of members' posts in the window are about the group's products.`,
  };
};

/** Cohesion: how many distinct co-action kinds bind members, and how strongly. */
export const cohesion: GroupIndicator = ({ members, memberSet, graph }) => {
  let wSum = 0;
  let edges = 0;
  const kinds = new Set<string>();
  const adj = adjacency(graph);
  const { mark, stamp } = markNodes(adj, memberSet);
  for (const m of members) {
    // A member attached through dropped weak edges (rings/attach) has no kept edge.
    const u = adj.index.get(m);
    if (u === undefined) continue;
    for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) {
      // Each internal edge once: from its source.
      if (!adj.source[k] || mark[adj.neighbour[k]] !== stamp) continue;
      const attr = adj.attrs[k];
      wSum += attr.weight;
      edges++;
      for (const key in attr.reasons) if (key !== 'creation') kinds.add(key);
    }
  }
  const pairs = (members.length * (members.length - 1)) / 2;
  const density = pairs > 0 ? edges / pairs : 0;
  const meanW = edges > 0 ? wSum / edges : 0;
  return {
    name: 'cohesion',
    value: round(meanW, 3),
    score: clamp01((meanW / 3) * (0.5 + 0.5 * density)),
    explanation: `Members are linked by ${edges} co-action edges (${Math.round(density * 100)}% of pairs, mean weight ${round(meanW, 2)}; kinds: ${[...kinds].sort().join(', ') || 'none'}).`,
  };
};

/** The group indicators, in the order a ring lists them. */
export const GROUP_INDICATORS: readonly GroupIndicator[] = [
  supportCount,
  coShares,
  timeWindow,
  ratingDeviation,
  sentimentDeviation,
  contentSimilarity,
  earlyTimeFrame,
  groupSize,
  accountAge,
  creationBurst,
  focus,
  cohesion,
];

export function groupIndicators(
  members: readonly string[],
  ctx: DetectionContext,
  graph: AccountGraph,
  options: Partial<GroupIndicatorOptions> = {},
): { indicators: Indicator[]; facts: GroupFacts } {
  const opts = { ...DEFAULT_GROUP_INDICATOR_OPTIONS, ...options };
  const memberSet = new Set(members);
  const group = analyseGroup(members, memberSet, ctx);
  const { facts, marks, stamp } = group;
  const shares = coShareIndicators(members, ctx, opts.coShareWindowMs);
  let byProduct: Map<string, number[]> | undefined;
  const view: GroupView = {
    members,
    memberSet,
    ctx,
    graph,
    opts,
    facts,
    postsOn: (prod) => {
      const q = ctx.productIndex.get(prod);
      if (q !== undefined && marks.support[q] === stamp) return group.postsOn[marks.slot[q]];
      byProduct ??= memberPostsByProduct(memberSet, ctx);
      return byProduct.get(prod) ?? [];
    },
    postsOnSupport: group.postsOn,
    membersOnSupport: group.membersOn,
    onSupport: (i) => {
      for (let k = ctx.productOffsets[i]; k < ctx.productOffsets[i + 1]; k++) if (marks.support[ctx.productIdsOfPost[k]] === stamp) return true;
      return false;
    },
    creationTimes: creationTimesOf(members, ctx),
    shares,
    productsApply: facts.hasProducts || shares.length === 0,
  };
  return { indicators: GROUP_INDICATORS.flatMap((indicator) => indicator(view) ?? []), facts };
}

/** postObjects of post i, each computed once per context (a post is in many groups: a Set and an array per post per group before). */
const postObjectsOf = memoByObject((ctx: DetectionContext): ((i: number) => readonly string[]) => {
  const cache: (readonly string[] | undefined)[] = [];
  for (let i = 0; i < ctx.posts.length; i++) cache.push(undefined);
  return (i) => {
    let objs = cache[i];
    if (objs === undefined) cache[i] = objs = ctx.posts[i].objects ? postObjects(ctx.posts[i]) : NO_OBJECTS;
    return objs;
  };
});

const NO_OBJECTS: readonly string[] = Object.freeze([]);

/** How many objects a group's members shared within the co-share window, listed for the analyst. */
const LISTED_OBJECTS = 8;

/**
 * CooRTweet's co-share, at group level: objects at least two members shared within the
 * co-share window of each other (the ids are the evidence), and the share of members'
 * object posts that were such co-shares (lock-step sharing). Empty when members share no objects.
 */
export function coShareIndicators(members: readonly string[], ctx: DetectionContext, windowMs: number): Indicator[] {
  const byObject = new Map<string, { t: number; a: string; i: number }[]>();
  const objectsOf = postObjectsOf(ctx);
  let sharing = 0;
  for (const m of members) {
    for (const i of ctx.postsByAccount.get(m) ?? []) {
      const objs = objectsOf(i);
      if (objs.length === 0) continue;
      sharing++;
      const t = ctx.times[i];
      for (const o of objs) {
        const list = byObject.get(o);
        if (list) list.push({ t, a: m, i });
        else byObject.set(o, [{ t, a: m, i }]);
      }
    }
  }
  if (sharing === 0) return [];
  const coShared: { object: string; members: number }[] = [];
  const inLockStep = new Set<number>();
  for (const [object, list] of byObject) {
    if (list.length < 2) continue;
    list.sort((x, y) => x.t - y.t);
    const who = new Set<string>();
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length && list[y].t - list[x].t <= windowMs; y++) {
        if (list[x].a === list[y].a) continue;
        who.add(list[x].a).add(list[y].a);
        inLockStep.add(list[x].i).add(list[y].i);
      }
    }
    if (who.size >= 2) coShared.push({ object, members: who.size });
  }
  coShared.sort((x, y) => y.members - x.members || (x.object < y.object ? -1 : 1));
  const secs = round(windowMs / 1000, 1);
  const listed = coShared.slice(0, LISTED_OBJECTS).map((c) => `${c.object} (${c.members} members)`).join(', ');
  const lockStep = inLockStep.size / sharing;
  return [
    {
      name: 'co_shared_objects',
      value: coShared.length,
      score: clamp01(coShared.length / 3),
      explanation:
        coShared.length > 0
          ? `${coShared.length} object(s) were shared by at least two members within ${secs} s of each other: ${listed}${coShared.length > LISTED_OBJECTS ? ', …' : ''}.`
          : `No object was shared by two members within ${secs} s of each other.`,
    },
    {
      name: 'co_share_lockstep',
      value: round(lockStep, 3),
      score: lockStep,
      explanation: `${inLockStep.size} of members' ${sharing} posts sharing objects came within ${secs} s of another member sharing the same object.`,
    },
  ];
}

function textSimilarity(x: DetectionContext['posts'][number], y: DetectionContext['posts'][number]): number {
  const mx = x.enrichment?.minhash;
  const my = y.enrichment?.minhash;
  if (mx && my && mx.length > 0 && my.length > 0) return minhashJaccard(mx, my);
  const nx = `${x.title ?? ''} ${x.text ?? ''}`.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const ny = `${y.title ?? ''} ${y.text ?? ''}`.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return nx.length > 0 && nx === ny ? 1 : 0;
}
