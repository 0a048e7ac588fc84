// TF-IDF over a small vocabulary chosen on the training texts: the k terms with the
// highest document frequency among those in at least `minDf` documents and at most
// `maxDfShare` of them (very common words carry nothing). Smooth idf as in scikit-learn:
// idf = ln((1+N)/(1+df)) + 1; rows L2-normalised.

const STOP = new Set(
  'a an and are as at be been but by for from has have i if in is it its me my of on or our so that the this to was we were will with you your not no do did does am can could would should there their they them he she his her him what when which who how all any just than then too very also into out up about over after before again more most some such only own same off'.split(' '),
);

export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z']{2,}/g) ?? []).map((t) => t.replace(/'.*$/, '')).filter((t) => t.length >= 3 && !STOP.has(t));
}

export interface Vocabulary {
  terms: string[];
  idf: number[];
}

export function fitVocabulary(texts: readonly string[], k = 50, minDf = 3, maxDfShare = 0.5): Vocabulary {
  const df = new Map<string, number>();
  for (const t of texts) for (const w of new Set(tokens(t))) df.set(w, (df.get(w) ?? 0) + 1);
  const n = texts.length;
  const terms = [...df.entries()]
    .filter(([, c]) => c >= minDf && c <= maxDfShare * n)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([w]) => w);
  return { terms, idf: terms.map((w) => Math.log((1 + n) / (1 + (df.get(w) ?? 0))) + 1) };
}

export function tfidfVector(text: string | undefined, vocab: Vocabulary): number[] {
  const out = new Array<number>(vocab.terms.length).fill(0);
  if (!text) return out;
  const index = new Map(vocab.terms.map((t, i) => [t, i]));
  for (const w of tokens(text)) {
    const i = index.get(w);
    if (i !== undefined) out[i] += 1;
  }
  for (let i = 0; i < out.length; i++) out[i] *= vocab.idf[i];
  const norm = Math.sqrt(out.reduce((s, v) => s + v * v, 0));
  return norm > 0 ? out.map((v) => v / norm) : out;
}
