// Ring score: the weighted mean of the group indicators present (0–1). A community is
// reported as a ring only when the score reaches `RING_THRESHOLD` and the group has at
// least `minRingSize` members. Weights favour the indicators that separate planted rings
// from organic bursts on the simulator (rating deviation, content similarity, repeated
// co-reviews, new accounts created together, cohesion); time tightness and earliness are
// shared by organic bursts, so they weigh less. Calibration: docs/detection.md.
import type { Indicator } from '../../storage/types';
import { weightedScore } from './context';

export const RING_INDICATOR_WEIGHTS: Readonly<Record<string, number>> = {
  support_count: 0.5,
  time_window: 0.5,
  rating_deviation: 1,
  sentiment_deviation: 0.5,
  content_similarity: 1.5,
  early_time_frame: 0.25,
  group_size: 0.25,
  account_age: 1,
  creation_burst: 1.5,
  focus: 0.5,
  cohesion: 2,
  // Co-shares (CooRTweet): the shared objects are the support, like support_count but the
  // primary evidence where there are no products; lock-step sharing within seconds is the
  // coordination signal itself, weighted like content similarity.
  co_shared_objects: 1,
  co_share_lockstep: 1.5,
};
export const RING_THRESHOLD = 0.58;
export const MIN_RING_SIZE = 3;

export function ringScore(indicators: readonly Indicator[]): number {
  return weightedScore(indicators, RING_INDICATOR_WEIGHTS);
}
