// Detection quality against a simulator world's ground truth (issue 4 §4): ring-level
// precision and recall (a planted ring is found when one reported ring covers ≥ 80% of
// its posting members with ≥ 80% purity), account ROC AUC / AP, and reported rings that
// sit on an organic burst (hard negatives).
import { averagePrecision, precisionAtK, rocAuc } from '../../../analysis/metrics';
import type { DetectionResult } from '../../../analysis/rings/detect';
import type { World } from '../../../sim/world';

export interface Quality {
  rings: number;
  planted: number;
  ringPrecision: number;
  ringRecall: number;
  /** Ring members against organic accounts. */
  accountAuc: number;
  /** Every fake (ring members and solo fakes) against organic accounts. */
  fakeAuc: number;
  accountAp: number;
  precisionAt50: number;
  burstRings: number;
  /** Highest score among candidate groups that are mostly organic (calibration margin). */
  maxOrganicCandidate: number;
  /** Lowest score among reported rings that are mostly planted members. */
  minPlantedRing: number;
  /** Reported ring members (over all rings) that belong to no planted ring. */
  organicMembers: number;
  ringMembers: number;
}

export function measureQuality(world: World, res: DetectionResult): Quality {
  const ringOf = new Map<string, string>();
  for (const r of world.truth.rings) for (const m of r.members) ringOf.set(m, r.id);
  const scored = new Set(res.accounts.map((a) => a.accountId));
  const burstAccounts = new Set(world.truth.organicBursts.flatMap((b) => b.accounts));
  const burstProducts = new Set(world.truth.organicBursts.map((b) => b.product));
  let good = 0;
  let burstRings = 0;
  let minPlanted = 1;
  for (const r of res.rings) {
    const counts = new Map<string, number>();
    for (const m of r.members) {
      const id = ringOf.get(m);
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const best = Math.max(0, ...counts.values());
    if (best / r.members.length >= 0.8) {
      good++;
      minPlanted = Math.min(minPlanted, r.score);
    }
    const organic = r.members.filter((m) => !ringOf.has(m));
    if (organic.some((m) => burstAccounts.has(m)) && r.products.some((p) => burstProducts.has(p))) burstRings++;
  }
  let found = 0;
  let planted = 0;
  for (const t of world.truth.rings) {
    const posting = t.members.filter((m) => scored.has(m));
    if (posting.length < 3) continue;
    planted++;
    const set = new Set(posting);
    const hit = res.rings.some((r) => {
      const inter = r.members.filter((m) => set.has(m)).length;
      return inter / posting.length >= 0.8 && inter / r.members.length >= 0.8;
    });
    if (hit) found++;
  }
  let maxOrganic = 0;
  for (const c of res.candidates) {
    if (c.members.length < 3) continue;
    const planted = c.members.filter((m) => ringOf.has(m)).length;
    if (planted / c.members.length < 0.5) maxOrganic = Math.max(maxOrganic, c.score);
  }
  // Ring accounts against organic ones (the review site's solo fakes, which write one fake
  // review each and belong to no ring, are left out), and every fake against organic.
  const solo = new Set(world.truth.fakeReviewers ?? []);
  const ringSide = res.accounts.filter((a) => !solo.has(a.accountId));
  const s = ringSide.map((a) => a.score);
  const y = ringSide.map((a) => ringOf.has(a.accountId));
  const fs = res.accounts.map((a) => a.score);
  const fy = res.accounts.map((a) => ringOf.has(a.accountId) || solo.has(a.accountId));
  return {
    rings: res.rings.length,
    planted,
    ringPrecision: res.rings.length ? good / res.rings.length : 1,
    ringRecall: planted ? found / planted : 1,
    accountAuc: rocAuc(s, y),
    accountAp: averagePrecision(s, y),
    fakeAuc: rocAuc(fs, fy),
    precisionAt50: precisionAtK(s, y, 50),
    burstRings,
    maxOrganicCandidate: maxOrganic,
    minPlantedRing: minPlanted,
    organicMembers: res.rings.reduce((n, r) => n + r.members.filter((m) => !ringOf.has(m)).length, 0),
    ringMembers: res.rings.reduce((n, r) => n + r.members.length, 0),
  };
}
