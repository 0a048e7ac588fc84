// Score rows for the scores tests: accounts acc:0 … acc:<n-1>, each with an indicator and evidence.
import type { ScoreRow } from '../../storage/store';

export function scoreRows(n: number, runId: string, score: number, from = 0): ScoreRow[] {
  const at = new Date('2026-11-30T12:00:00Z');
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      accountId: `acc:${i}`,
      suspicion: {
        score,
        ...(i % 3 === 0 ? { ringId: `ring_${i % 7}` } : {}),
        indicators: [{ name: 'co_review', value: i, score, explanation: `reviewed with ${i} others` }],
        evidencePosts: [`post:${i}`, `post:${i + 1}`],
        detectedAt: at,
        runId,
      },
    };
  });
}
