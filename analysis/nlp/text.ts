// Text normalisation shared by catalogue matching, candidate keys and shingling, so that
// the same words always normalise the same way wherever they are compared.

/** Lower-case, strip diacritics, fold typographic quotes and dashes. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u201b]/g, "'")
    .replace(/[\u2010-\u2015]/g, '-')
    .toLowerCase();
}

/**
 * Crude English singular for matching: "earbuds" → "earbud", "batteries" → "battery",
 * "boxes" → "box". Model tokens with digits ("x200s") and short words are left alone:
 * a wrong singular there would merge different models.
 */
export function singular(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

export interface Token {
  /** Folded, singular form used for matching. */
  norm: string;
  start: number;
  end: number;
}

const WORD = /[a-z0-9]+(?:'[a-z]+)?/g;
const ASIN_LIKE = /^b0[0-9a-z]{8}$/;
// Letter↔digit boundaries: "X200", "X-200" and "X 200" all name the same model.
const ALNUM_PARTS = /[a-z]+|[0-9]+/g;

/**
 * Word tokens with character offsets into the folded text, for matching: hyphenated and
 * letter-digit words are split into parts ("pro-900" → pro, 900; "x200" → x, 200), except
 * ASIN-like ids, which stay whole. "it's" matches as "it".
 */
export function tokenize(folded: string): Token[] {
  const out: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(folded); m !== null; m = WORD.exec(folded)) {
    const word = m[0];
    const apos = word.indexOf("'");
    const base = apos >= 0 ? word.slice(0, apos) : word;
    if (ASIN_LIKE.test(base) || !/[0-9]/.test(base) || !/[a-z]/.test(base)) {
      out.push({ norm: singular(base), start: m.index, end: m.index + base.length });
      continue;
    }
    ALNUM_PARTS.lastIndex = 0;
    for (let p = ALNUM_PARTS.exec(base); p !== null; p = ALNUM_PARTS.exec(base)) {
      out.push({ norm: p[0], start: m.index + p.index, end: m.index + p.index + p[0].length });
    }
  }
  return out;
}

/** Words of a phrase, normalised for matching (same rules as `tokenize`). */
export function normWords(phrase: string): string[] {
  return tokenize(foldText(phrase)).map((t) => t.norm);
}

/** Stable key for an unknown product: "cand:acmesound-pro-headphone", "cand:zentro-x-200". */
export function candidateKey(surface: string): string {
  return `cand:${normWords(surface).join('-')}`;
}
