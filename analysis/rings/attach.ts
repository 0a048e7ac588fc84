// Re-attachment, the inverse of peeling. Peeling compares a member's strength inside its
// community with the community's median, so in a big ring the members that rarely co-act
// (one post, one reply) are cut off together with organic hangers-on. What tells them
// apart is where the account's edges go and how many kinds of co-action bind it:
//   - a ring member left out has most of its co-action weight going into the ring
//     (share ≥ minShare of its weighted degree), through several edges or several kinds
//     of co-action (co-review + reply, same handle + co-review, …);
//   - an organic account next to a ring typically shares one URL or one phrasing with one
//     member and has most of its weight elsewhere.
// Accounts joined by same-handle edges are judged as one operator unit, so a peeled
// Reddit account and its X twin come back together. Rounds repeat so that chains (a peeled member linked to another peeled member) come back,
// but each round looks only at the current group's neighbours: near-linear in their degree.
import type { AccountGraph } from '../graph/build';
import { column, sliced } from '../columns';

export interface AttachOptions {
  /** Minimum share of an account's weighted degree that goes into the group. */
  minShare: number;
  /** Accept with this many distinct co-action kinds (creation excluded) on its edges into the group … */
  minKinds: number;
  /** … or with this many edges into the group. */
  minEdges: number;
  /** Rounds of attachment (each round sees the accounts attached before). */
  rounds: number;
}

export const DEFAULT_ATTACH_OPTIONS: AttachOptions = { minShare: 0.5, minKinds: 2, minEdges: 2, rounds: 3 };

export interface Attachment {
  share: number;
  edges: number;
  kinds: number;
  /** An edge into the group says "same operator" (the same handle on another platform). */
  identity: boolean;
}

/**
 * How a unit of accounts (one account, or the accounts of one operator joined by
 * same-handle edges) is bound to `group` (which must not contain them). Edges inside the
 * unit are ignored: an operator's Reddit and X accounts count as one.
 */
export function attachment(graph: AccountGraph, unit: readonly string[], group: ReadonlySet<string>): Attachment {
  const self = new Set(unit);
  let inside = 0;
  let total = 0;
  let edges = 0;
  let identity = false;
  const kinds = new Set<string>();
  for (const account of unit) {
    graph.forEachEdge(account, (_e, attr, s, t) => {
      const other = s === account ? t : s;
      if (self.has(other)) return;
      total += attr.weight;
      if (!group.has(other)) return;
      inside += attr.weight;
      edges++;
      if ((attr.reasons.same_handle ?? 0) > 0) identity = true;
      for (const k of Object.keys(attr.reasons)) if (k !== 'creation') kinds.add(k);
    });
  }
  return { share: total > 0 ? inside / total : 0, edges, kinds: kinds.size, identity };
}

export function accepts(a: Attachment, opts: AttachOptions): boolean {
  return a.share >= opts.minShare && (a.identity || a.kinds >= opts.minKinds || a.edges >= opts.minEdges);
}

/** Frontier accounts grouped into operator units by same-handle edges between them. */
function operatorUnits(graph: AccountGraph, frontier: ReadonlySet<string>): string[][] {
  const seen = new Set<string>();
  const units: string[][] = [];
  for (const start of [...frontier].sort()) {
    if (seen.has(start)) continue;
    seen.add(start);
    const unit = [start];
    for (let i = 0; i < unit.length; i++) {
      graph.forEachEdge(unit[i], (_e, attr, s, t) => {
        const other = s === unit[i] ? t : s;
        if ((attr.reasons.same_handle ?? 0) > 0 && frontier.has(other) && !seen.has(other)) {
          seen.add(other);
          unit.push(other);
        }
      });
    }
    units.push(unit.sort());
  }
  return units;
}

/**
 * Grows `members` by the neighbours bound to it (see above), never taking accounts in
 * `excluded` (members of other rings). Returns the sorted, grown member list.
 */
export function attachMembers(
  graph: AccountGraph,
  members: readonly string[],
  excluded: ReadonlySet<string> = new Set(),
  options: Partial<AttachOptions> = {},
): string[] {
  const opts = { ...DEFAULT_ATTACH_OPTIONS, ...options };
  const group = new Set(members);
  for (let round = 0; round < opts.rounds; round++) {
    const frontier = new Set<string>();
    for (const m of group) {
      if (!graph.hasNode(m)) continue;
      graph.forEachNeighbor(m, (n) => {
        if (!group.has(n) && !excluded.has(n)) frontier.add(n);
      });
    }
    // A unit's twin that is not yet a neighbour of the group joins the frontier with it.
    for (const n of [...frontier]) {
      graph.forEachEdge(n, (_e, attr, s, t) => {
        const other = s === n ? t : s;
        if ((attr.reasons.same_handle ?? 0) > 0 && !group.has(other) && !excluded.has(other)) frontier.add(other);
      });
    }
    const accepted = operatorUnits(graph, frontier).filter((u) => accepts(attachment(graph, u, group), opts));
    if (accepted.length === 0) break;
    for (const u of accepted) for (const n of u) group.add(n);
  }
  return [...group].sort();
}

// Weak-edge attachment. In a big ring's wave every member co-reviews the target with many
// others, so each pair's co-review is discounted by the crowd the ring itself makes and
// can fall under the percentile filter: a member that only co-reviewed is then not in
// the graph at all. Its dropped edges still point at the ring, to many of its members.
// An account joins when it is linked (weak or kept edges) to at least
// max(minMembers, minMemberShare · |ring|) members, most of its total weight goes there, and
// at least `minFocus` of its posts are about the ring's products: an organic reviewer who
// happened to review the target during the wave has its other reviews elsewhere.

export interface WeakAttachOptions {
  minMembers: number;
  minMemberShare: number;
  minShare: number;
  minFocus: number;
}

export const DEFAULT_WEAK_ATTACH_OPTIONS: WeakAttachOptions = { minMembers: 3, minMemberShare: 0.25, minShare: 0.5, minFocus: 0.5 };

/** Adjacency (CSR) over weak and kept edges, by account index. */
export interface WeightIndex {
  ids: readonly string[];
  index: ReadonlyMap<string, number>;
  offsets: Int32Array;
  neighbours: Int32Array;
  weights: Float32Array;
}

export function weightIndex(
  ids: readonly string[],
  graph: AccountGraph,
  weak: { a: Int32Array; b: Int32Array; weight: Float32Array },
  /** Id → position in `ids`, when the caller has it (the detection context's accountIndex). */
  index: ReadonlyMap<string, number> = new Map(ids.map((id, i) => [id, i])),
): WeightIndex {
  // Weak edges, then the graph's: typed arrays (Array.from of the weak columns boxed every
  // weight and allocated an iterator result per element: ~100 MB per 100k posts).
  const m = weak.a.length + graph.size;
  const ea = column(Int32Array, m);
  const eb = column(Int32Array, m);
  const ew = column(Float64Array, m);
  ea.set(weak.a);
  eb.set(weak.b);
  ew.set(weak.weight);
  let edges = weak.a.length;
  graph.forEachEdge((_e, attr, s, t) => {
    const x = index.get(s);
    const y = index.get(t);
    if (x === undefined || y === undefined) return;
    ea[edges] = x;
    eb[edges] = y;
    ew[edges++] = attr.weight;
  });
  const degree = column(Int32Array, ids.length + 1);
  for (let k = 0; k < edges; k++) {
    degree[ea[k] + 1]++;
    degree[eb[k] + 1]++;
  }
  const offsets = column(Int32Array, ids.length + 1);
  for (let i = 1; i <= ids.length; i++) offsets[i] = offsets[i - 1] + degree[i];
  const fill = sliced(offsets, ids.length);
  const neighbours = column(Int32Array, offsets[ids.length]);
  const weights = column(Float32Array, offsets[ids.length]);
  for (let k = 0; k < edges; k++) {
    neighbours[fill[ea[k]]] = eb[k];
    weights[fill[ea[k]]++] = ew[k];
    neighbours[fill[eb[k]]] = ea[k];
    weights[fill[eb[k]]++] = ew[k];
  }
  return { ids, index, offsets, neighbours, weights };
}

/**
 * Accounts (sorted) that weak edges bind to `members`; never members of `excluded`.
 * `focus(account)` is the share of the account's posts about the ring's products.
 */
export function weakAttach(
  idx: WeightIndex,
  members: readonly string[],
  excluded: ReadonlySet<string>,
  focus: (account: string) => number,
  options: Partial<WeakAttachOptions> = {},
): string[] {
  const opts = { ...DEFAULT_WEAK_ATTACH_OPTIONS, ...options };
  const group = new Set<number>();
  for (const m of members) {
    const i = idx.index.get(m);
    if (i !== undefined) group.add(i);
  }
  const need = Math.max(opts.minMembers, Math.ceil(opts.minMemberShare * members.length));
  const frontier = new Set<number>();
  for (const g of group) {
    for (let k = idx.offsets[g]; k < idx.offsets[g + 1]; k++) {
      const n = idx.neighbours[k];
      if (!group.has(n) && !excluded.has(idx.ids[n])) frontier.add(n);
    }
  }
  const out: string[] = [];
  for (const n of frontier) {
    let inside = 0;
    let total = 0;
    const linked = new Set<number>();
    for (let k = idx.offsets[n]; k < idx.offsets[n + 1]; k++) {
      total += idx.weights[k];
      if (group.has(idx.neighbours[k])) {
        inside += idx.weights[k];
        linked.add(idx.neighbours[k]);
      }
    }
    if (linked.size >= need && total > 0 && inside / total >= opts.minShare && focus(idx.ids[n]) >= opts.minFocus) out.push(idx.ids[n]);
  }
  return out.sort();
}
