// Entity extraction for one post: catalogue products and candidate products, account
// references, order ids, URLs, referral/coupon codes, money, people, organisations.
// Structured tokens come from patterns (patterns.ts), products from the catalogue trie
// (catalogue.ts), language-level entities from compromise with the ringwatch plugin.
import type { Product } from '../../storage/types';
import { type CatalogueIndex, compileCatalogue, matchCatalogue } from './catalogue';
import { extractAccountRefs, extractCodes, extractOrderIds, extractUrls, unique } from './patterns';
import { installRingwatchPlugin, PERSON, PRODUCT_TYPES, tagLight } from './plugin';
import { candidateKey, foldText, normWords, singular } from './text';

const nlp = installRingwatchPlugin();
const PRODUCT_TYPE_SET = new Set(PRODUCT_TYPES);

export interface ExtractedProduct {
  /** products._id when resolved, else "cand:<normalised words>". */
  productId: string;
  /** The text as written (first occurrence). */
  surface: string;
  candidate: boolean;
}

export interface Entities {
  products: ExtractedProduct[];
  /** "reddit:u/name", "twitter:@handle" */
  mentions: string[];
  orderIds: string[];
  urls: string[];
  codes: string[];
  money: string[];
  people: string[];
  organisations: string[];
}

export const EMPTY_ENTITIES: Readonly<Entities> = Object.freeze({
  products: [], mentions: [], orderIds: [], urls: [], codes: [], money: [], people: [], organisations: [],
});

const EDGE_PUNCT = /^[\s"'“”‘’([{]+|[\s.,;:!?"'“”‘’)\]}]+$/g;

function clean(s: string): string {
  return s.replace(EDGE_PUNCT, '').replace(/\s+/g, ' ');
}

/**
 * Key for a candidate product. A trailing product type is dropped when the rest already
 * names something specific ("Zentro X200 earbuds" → cand:zentro-x200), kept when the rest
 * is only a brand ("Apple headphones" → cand:apple-headphone), so that a brand alone never
 * becomes a product.
 */
export function candidateProductKey(surface: string): string | null {
  const words = normWords(surface);
  if (words.length === 0) return null;
  const last = words[words.length - 1];
  const rest = words.slice(0, -1);
  const specific = rest.length >= 2 || rest.some((w) => /\d/.test(w));
  if (PRODUCT_TYPE_SET.has(singular(last)) && specific) return candidateKey(rest.join(' '));
  return candidateKey(words.join(' '));
}

// Tagging is the expensive step (~1,000 short texts/s per core), and people, organisations,
// brands and money all need a cue visible without it: a capitalised word that is not just a
// sentence opener, or a currency. Only sentences with such a cue are tagged; the others
// cannot yield these entities. Catalogue products, handles, ids and codes never need tagging.
// Sentence ends: . ! ? followed by space, or a line break ("$1.99" and "v2.0" stay whole).
const SENTENCE_SPLIT = /(?<=[.!?])\s+|\n+/;
const CURRENCY_RE = /[$€£¥]|\b(?:usd|eur|gbp|dollars?|bucks|euros?|pounds?|quid)\b/i;
const INNER_CAPITAL_RE = /[\s(“"'-][A-Z][A-Za-z0-9]/;
const FIRST_WORD_RE = /^\W*([A-Za-z]+)/;
// compromise's types do not declare world(); its lexicon maps a word to its tag(s).
const lexicon = ((nlp as unknown as { world(): { model: { one: { lexicon?: Record<string, string | string[]> } } } }).world().model.one.lexicon ?? {});
const NAME_TAGS = /Organization|Person|FirstName|LastName|Place|Country|City|Region|ProperNoun/;

function openerMayBeName(sentence: string): boolean {
  const m = FIRST_WORD_RE.exec(sentence);
  if (!m || !/^[A-Z]/.test(m[1])) return false;
  const tag = lexicon[m[1].toLowerCase()];
  // Unknown words may be brands ("Acme headphones are great"); known function words are not.
  return tag === undefined || NAME_TAGS.test(String(tag));
}

/** The sentences of `text` that can hold language-level entities, joined; '' if none. */
export function sentencesWorthTagging(text: string): string {
  const keep: string[] = [];
  for (const raw of text.split(SENTENCE_SPLIT)) {
    const s = raw.trim();
    if (s && (CURRENCY_RE.test(s) || INNER_CAPITAL_RE.test(s) || openerMayBeName(s))) keep.push(s);
  }
  return keep.join(' ');
}

function overlapsKnown(candidateNorm: string, known: readonly string[]): boolean {
  return known.some((k) => k.includes(candidateNorm) || candidateNorm.includes(k));
}

/** Compiles the catalogue once; the returned function is pure and reusable across texts. */
export function createEntityExtractor(catalogue: readonly Product[] | CatalogueIndex): (text: string) => Entities {
  const index = Array.isArray(catalogue) ? compileCatalogue(catalogue as Product[]) : (catalogue as CatalogueIndex);
  return (text) => extractEntities(text, index);
}

export function extractEntities(text: string, index: CatalogueIndex): Entities {
  if (!text?.trim()) return { ...EMPTY_ENTITIES, products: [], mentions: [], orderIds: [], urls: [], codes: [], money: [], people: [], organisations: [] };

  const urls = unique(extractUrls(text));
  // URLs contain things that look like handles, codes and ids; the rest of the text is
  // scanned with them blanked out (same length, so nothing else shifts).
  const withoutUrls = urls.length ? text.replace(/\b(?:https?:\/\/|www\.)[^\s<>"'`]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|to|ly|me|shop|store|uk|de)\/[^\s<>"'`]*/gi, (m) => ' '.repeat(m.length)) : text;

  const products: ExtractedProduct[] = [];
  const seen = new Set<string>();
  const knownNorms: string[] = [];
  for (const m of matchCatalogue(withoutUrls, index)) {
    knownNorms.push(normWords(m.surface).join(' '));
    const productId = m.productId ?? `cand:${m.asin.toLowerCase()}`;
    if (seen.has(productId)) continue;
    seen.add(productId);
    products.push({ productId, surface: m.surface, candidate: m.productId === undefined });
  }

  const language = sentencesWorthTagging(withoutUrls);
  const doc = language ? tagLight(language) : null;
  if (doc) {
    for (const phrase of doc.productPhrases().out('array') as string[]) {
      const surface = clean(phrase);
      const norm = normWords(surface).join(' ');
      if (!norm || overlapsKnown(norm, knownNorms)) continue;
      const productId = candidateProductKey(surface);
      if (!productId || seen.has(productId)) continue;
      seen.add(productId);
      knownNorms.push(norm);
      products.push({ productId, surface, candidate: true });
    }
  }
  const select = (pattern: string): string[] =>
    doc ? unique((doc.match(pattern).out('array') as string[]).map(clean).filter(Boolean)) : [];

  return {
    products,
    mentions: unique(extractAccountRefs(withoutUrls)),
    orderIds: unique(extractOrderIds(withoutUrls)),
    urls,
    codes: unique(extractCodes(withoutUrls, urls)),
    money: select('#Money+'),
    people: select(PERSON),
    organisations: select('#Organization+'),
  };
}

export { compileCatalogue, foldText };
