// Stable ring ids. A new ring's id is "ring_" + the first 16 hex digits of the SHA-256 of
// its sorted member ids. Across runs membership drifts (a member joins, one goes quiet),
// so before minting a new id each ring is matched to the previous run's rings: pairs are
// taken greedily by Jaccard overlap of members (highest first, ties by id), one-to-one,
// and a pair with Jaccard ≥ `minOverlap` (0.5) keeps the old id — and with it the review
// status the policy team set.
import { createHash } from 'node:crypto';

export function ringIdFor(members: readonly string[]): string {
  const h = createHash('sha256').update([...members].sort().join('\n')).digest('hex');
  return `ring_${h.slice(0, 16)}`;
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  let inter = 0;
  for (const x of new Set(b)) if (sa.has(x)) inter++;
  const union = sa.size + new Set(b).size - inter;
  return union === 0 ? 0 : inter / union;
}

/** Ids for `rings` (same order): a matched previous id or a fresh membership hash. */
export function assignRingIds(
  rings: readonly { members: readonly string[] }[],
  previous: readonly { _id: string; members: readonly string[] }[],
  minOverlap = 0.5,
): string[] {
  const byMember = new Map<string, number[]>();
  previous.forEach((p, j) => {
    for (const m of p.members) {
      const list = byMember.get(m);
      if (list) list.push(j);
      else byMember.set(m, [j]);
    }
  });
  const candidates: { i: number; j: number; overlap: number }[] = [];
  rings.forEach((r, i) => {
    const seen = new Set<number>();
    for (const m of r.members) for (const j of byMember.get(m) ?? []) seen.add(j);
    for (const j of seen) {
      const overlap = jaccard(r.members, previous[j].members);
      if (overlap >= minOverlap) candidates.push({ i, j, overlap });
    }
  });
  candidates.sort((x, y) => y.overlap - x.overlap || (previous[x.j]._id < previous[y.j]._id ? -1 : 1) || x.i - y.i);
  const ids: (string | undefined)[] = rings.map(() => undefined);
  const used = new Set<string>();
  for (const c of candidates) {
    if (ids[c.i] !== undefined || used.has(previous[c.j]._id)) continue;
    ids[c.i] = previous[c.j]._id;
    used.add(previous[c.j]._id);
  }
  const taken = new Set(ids.filter((x): x is string => x !== undefined));
  return rings.map((r, i) => {
    if (ids[i]) return ids[i] as string;
    let id = ringIdFor(r.members);
    // A fresh hash could equal an old ring's id that matched nothing: keep ids unique.
    for (let k = 1; taken.has(id); k++) id = ringIdFor([...r.members, `#${k}`]);
    taken.add(id);
    return id;
  });
}
