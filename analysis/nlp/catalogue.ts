// Resolves product mentions against a catalogue. The catalogue is compiled once into a
// token trie (names, aliases, brand + name, brand + model, ids), so matching a text costs
// one pass over its tokens whatever the catalogue size.
import type { Product } from '../../storage/types';
import { foldText, normWords, tokenize } from './text';

/** ASIN-like product ids, matched on lower-cased text (DESIGN.md §6). */
export const ASIN_RE = /^b0[0-9a-z]{8}$/;

interface TrieNode {
  next: Map<string, TrieNode>;
  /** products._id when a phrase ends here. */
  productId?: string;
}

export interface CatalogueIndex {
  readonly size: number;
  /** Root of the phrase trie (token → child). */
  readonly root: TrieNode;
  /** Lower-cased product id → products._id, for ASIN-like ids in text. */
  readonly ids: ReadonlyMap<string, string>;
  /** Longest phrase in tokens; bounds the look-ahead. */
  readonly maxLen: number;
}

export interface CatalogueMatch {
  productId: string;
  /** The text as written. */
  surface: string;
  start: number;
  end: number;
}

/** Phrases that name a product, in match-normalised words. */
export function productPhrases(p: Product): string[][] {
  const phrases: string[][] = [];
  const name = normWords(p.name);
  phrases.push(name);
  for (const a of p.aliases ?? []) phrases.push(normWords(a));
  if (p.brand) {
    const brand = normWords(p.brand);
    const startsWithBrand = brand.length > 0 && brand.every((w, i) => name[i] === w);
    if (!startsWithBrand) phrases.push([...brand, ...name]);
    // "Zentro X200 Wireless Earbuds" is often written "Zentro X200": brand + the model word
    // (the one word with a digit), when there is exactly one, to stay unambiguous.
    const rawWords = foldText(p.name).split(/\s+/).filter((w) => normWords(w).length > 0);
    const brandWords = startsWithBrand ? rawWords.findIndex((_, i) => normWords(rawWords.slice(0, i + 1).join(' ')).length >= brand.length) + 1 : 0;
    const model = rawWords.slice(brandWords);
    const withDigit = model.filter((w) => /\d/.test(w));
    if (withDigit.length === 1) {
      const i = model.indexOf(withDigit[0]);
      phrases.push([...brand, ...normWords(model.slice(0, i + 1).join(' '))]);
      phrases.push([...brand, ...normWords(withDigit[0])]);
    }
  }
  return phrases.filter((ph) => ph.length > 0);
}

export function compileCatalogue(products: readonly Product[]): CatalogueIndex {
  const root: TrieNode = { next: new Map() };
  const ids = new Map<string, string>();
  let maxLen = 0;
  // Catalogue entries win over candidates, and the first product claiming a phrase keeps it
  // (deterministic for a given catalogue order).
  const ordered = [...products].sort((a, b) => Number(!!a.candidate) - Number(!!b.candidate));
  for (const p of ordered) {
    ids.set(p._id.toLowerCase(), ids.get(p._id.toLowerCase()) ?? p._id);
    for (const phrase of productPhrases(p)) {
      let node = root;
      for (const w of phrase) {
        let child = node.next.get(w);
        if (!child) {
          child = { next: new Map() };
          node.next.set(w, child);
        }
        node = child;
      }
      node.productId ??= p._id;
      maxLen = Math.max(maxLen, phrase.length);
    }
  }
  return { size: products.length, root, ids, maxLen };
}

/**
 * Longest-match, left to right, non-overlapping. Also resolves ASIN-like tokens; unknown
 * ASIN-like ids are returned with `productId` undefined so the caller can keep them as
 * candidates.
 */
export function matchCatalogue(
  text: string,
  index: CatalogueIndex,
): (CatalogueMatch | (Omit<CatalogueMatch, 'productId'> & { productId: undefined; asin: string }))[] {
  const folded = foldText(text);
  const tokens = tokenize(folded);
  // Offsets index the folded text; when folding kept the length they also index the original,
  // so surfaces keep the writer's case.
  const source = folded.length === text.length ? text : folded;
  const out: ReturnType<typeof matchCatalogue> = [];
  let i = 0;
  while (i < tokens.length) {
    let node = index.root;
    let best = -1;
    let bestId: string | undefined;
    for (let j = i; j < tokens.length && j - i < index.maxLen; j++) {
      const child = node.next.get(tokens[j].norm);
      if (!child) break;
      node = child;
      if (node.productId !== undefined) {
        best = j;
        bestId = node.productId;
      }
    }
    if (bestId !== undefined) {
      out.push({ productId: bestId, surface: source.slice(tokens[i].start, tokens[best].end), start: tokens[i].start, end: tokens[best].end });
      i = best + 1;
      continue;
    }
    const t = tokens[i];
    if (ASIN_RE.test(t.norm)) {
      const surface = source.slice(t.start, t.end);
      const id = index.ids.get(t.norm);
      if (id) out.push({ productId: id, surface, start: t.start, end: t.end });
      else out.push({ productId: undefined, asin: t.norm.toUpperCase(), surface, start: t.start, end: t.end });
    }
    i++;
  }
  return out;
}
