// The pipeline's options for one run, from the config's `detect` section and the run's own
// parameters (a run's parameter wins). One place, so `detect` and `evaluate
// --train-fraction` detect alike.
import { parseDuration } from '../analysis/time';
import type { DetectOptions } from '../analysis/rings/detect';
import type { Config } from '../config/index';
import { JobParamsError } from './params';

/** The widest co-share window accepted: beyond a day, "shared at the same time" stops meaning anything. */
export const MAX_CO_SHARE_WINDOW_MS = 86_400_000;

export interface RunDetectOptions {
  resolution?: number;
  seed?: number;
  /** Co-share window, a duration (e.g. 10s, 60s, 10m). */
  coShareWindow?: string;
}

export function detectOptions(cfg: Config['detect'], run: RunDetectOptions = {}): Partial<DetectOptions> {
  const name = run.coShareWindow !== undefined ? 'coShareWindow' : 'config detect.coShareWindow';
  const coShareWindowMs = coShareWindowMsOf(run.coShareWindow ?? cfg.coShareWindow, name);
  return {
    communities: { resolution: run.resolution ?? cfg.louvainResolution, seed: run.seed ?? cfg.seed },
    graph: { coShareWindowMs },
  };
}

/** A co-share window in ms, or an error naming where it came from. */
export function coShareWindowMsOf(text: string, name: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    throw new JobParamsError(`${name}: ${(e as Error).message}`);
  }
  if (ms > MAX_CO_SHARE_WINDOW_MS) throw new JobParamsError(`${name}: "${text}" is longer than a day; co-shares are posts of one object within seconds to minutes of each other (CooRTweet's default is 10s)`);
  return ms;
}
