// Sentiment with wink-nlp and its English lite model (DESIGN.md §6: the most accurate JS
// option measured, 0.82/0.78/0.73 on the UCI Amazon/IMDB/Yelp sentences, and ~15k short
// texts/s per core). wink scores words; reviews also state ratings ("1 star", "10/10") and
// use verdict phrases ("do not buy") that word scores miss or get backwards ("star" is a
// positive word, so wink calls "1 star" positive). Those are read here and blended in.
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

type Wink = ReturnType<typeof winkNLP>;
let wink: Wink | null = null;

function engine(): Wink {
  // Loading the model takes ~150 ms; only pay for it when sentiment is used.
  wink ??= winkNLP(model, ['sbd', 'negation', 'sentiment']);
  return wink;
}

export interface SentenceSentiment {
  text: string;
  /** -1..1 */
  score: number;
}

export interface TextSentiment {
  /** Whole-text sentiment, -1..1; 0 for empty text. */
  score: number;
  sentences: SentenceSentiment[];
  /** A rating stated in the text, normalised to 1–5, when there is one. */
  statedRating?: number;
}

const NUMBER_WORDS: Record<string, number> = { zero: 0, no: 0, one: 1, two: 2, three: 3, four: 4, five: 5, half: 0.5 };

// "4 stars", "4.5 out of 5 stars", "five stars", "1 star", "zero stars"
const STARS_RE = /\b(\d(?:\.\d)?|zero|no|one|two|three|four|five)\s*(?:out\s+of\s+(?:5|five)\s*)?(?:\*|stars?)\b/gi;
// "8/10", "4/5", "10 out of 10"
const SCALE_RE = /(?<![\d/])(\d{1,2}(?:\.\d)?)\s*(?:\/|out\s+of)\s*(5|10)\b(?![/\d])/gi;

/** A rating stated in the text, on a 1–5 scale, or undefined. The last one wins ("was 5 stars, now 1 star"). */
export function statedRating(text: string): number | undefined {
  let found: { at: number; rating: number } | undefined;
  for (const m of text.matchAll(STARS_RE)) {
    const raw = m[1].toLowerCase();
    const value = raw in NUMBER_WORDS ? NUMBER_WORDS[raw] : Number(raw);
    if (value >= 0 && value <= 5 && (!found || m.index >= found.at)) found = { at: m.index, rating: value };
  }
  for (const m of text.matchAll(SCALE_RE)) {
    const value = Number(m[1]);
    const scale = Number(m[2]);
    if (value > scale) continue;
    const rating = scale === 10 ? value / 2 : value;
    if (!found || m.index >= found.at) found = { at: m.index, rating };
  }
  return found === undefined ? undefined : Math.max(1, Math.min(5, found.rating));
}

/** 1–5 stars → -1..1. */
export function ratingToScore(rating: number): number {
  return Math.max(-1, Math.min(1, (rating - 3) / 2));
}

// Review verdicts that lexicon scoring misses or inverts. Weights are -1..1.
const VERDICTS: [RegExp, number][] = [
  [/\b(?:do\s*n[o']t|never|would\s*n[o']t|wouldn't)\s+(?:buy|recommend|purchase|waste)\b/i, -0.8],
  [/\bnot\s+(?:recommended|worth\s+(?:it|the\s+money))\b/i, -0.8],
  [/\b(?:waste\s+of\s+(?:money|time)|rip\s*-?\s*off|scam|junk|garbage|returned\s+it|refund(?:ed)?|fell\s+apart|stopped\s+working|broke\s+after|piece\s+of\s+(?:junk|crap))\b/i, -0.7],
  [/\b(?:avoid|stay\s+away)\b/i, -0.6],
  [/\b(?:highly\s+recommend(?:ed)?|must\s+buy|must-have|game\s*-?\s*changer|worth\s+every\s+penny|best\s+purchase|five\s+stars|love\s+(?:it|this|mine))\b/i, 0.8],
  [/\b(?:exceeded\s+(?:my\s+)?expectations|no\s+regrets|would\s+buy\s+again)\b/i, 0.7],
];

/** Verdict cue strength in a sentence, or undefined when there is none. Strongest cue wins. */
export function verdictScore(sentence: string): number | undefined {
  let best: number | undefined;
  for (const [re, w] of VERDICTS) if (re.test(sentence) && (best === undefined || Math.abs(w) > Math.abs(best))) best = w;
  return best;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0;
}

/** One sentence's score: wink's word-level score, pulled towards any stated rating or verdict. */
function blend(winkScore: number, text: string): number {
  const rating = statedRating(text);
  const verdict = verdictScore(text);
  let s = winkScore;
  if (verdict !== undefined) s = 0.4 * s + 0.6 * verdict;
  if (rating !== undefined) s = 0.3 * s + 0.7 * ratingToScore(rating);
  return clamp(s);
}

/**
 * Sentiment of a text and each of its sentences, -1..1. Empty or absent text → 0 with no
 * sentences. The whole-text score is the length-weighted mean of sentence scores, so a
 * stated rating in one sentence moves the post as much as its sentence's share.
 */
export function analyseSentiment(text: string | undefined | null): TextSentiment {
  if (!text?.trim()) return { score: 0, sentences: [] };
  const its = engine().its;
  const doc = engine().readDoc(text);
  const sentences: SentenceSentiment[] = [];
  doc.sentences().each((s: { out: (f?: unknown) => unknown }) => {
    const t = s.out() as string;
    sentences.push({ text: t, score: blend(s.out(its.sentiment) as unknown as number, t) });
  });
  let weighted = 0;
  let weights = 0;
  for (const s of sentences) {
    const w = Math.max(1, s.text.length);
    weighted += w * s.score;
    weights += w;
  }
  const rating = statedRating(text);
  return { score: weights > 0 ? clamp(weighted / weights) : 0, sentences, ...(rating !== undefined ? { statedRating: rating } : {}) };
}

/** Whole-text sentiment only. */
export function sentimentOf(text: string | undefined | null): number {
  return analyseSentiment(text).score;
}
