// One post's enrichment: entities, sentiment (post and per product mention), near-duplicate
// fingerprint. Pure: the same catalogue and text always give the same result (the job adds
// `enrichedAt`).
import { createHash } from 'node:crypto';
import type { PostEnrichment, Product, ProductMention } from '../../storage/types';
import { compileCatalogue } from './catalogue';
import { type Entities, EMPTY_ENTITIES, extractEntities } from './entities';
import { fingerprint } from './minhash';
import { analyseSentiment } from './sentiment';
import { foldText } from './text';

/**
 * Bump when a change to extraction, sentiment or fingerprints should redo stored
 * enrichments; `ringwatch enrich` re-enriches every post with an older version.
 */
export const ENRICHMENT_VERSION = 1;

/** What the enricher computes: the stored enrichment without its time (band keys derive from minhash, `lsh` says whether to). */
export type Enrichment = Omit<PostEnrichment, 'enrichedAt' | 'lshBands' | 'minhash'> & { minhash: number[] };

/** The text a post is enriched from: title and body, as one document. */
export function enrichmentText(text: string | undefined | null, title?: string | null): string {
  const t = text?.trim() ?? '';
  const h = title?.trim() ?? '';
  if (!h) return t;
  if (!t) return h;
  // A sentence break keeps the title's words out of the body's first sentence.
  return /[.!?]$/.test(h) ? `${h}\n${t}` : `${h}.\n${t}`;
}

/** Hash of what enrichment reads (title and text), to notice edited posts. */
export function textHash(text: string | undefined | null, title?: string | null): string {
  return createHash('sha1').update(title ?? '').update('\u0000').update(text ?? '').digest('hex').slice(0, 20);
}

export interface Enricher {
  enrich(text: string | undefined | null, title?: string | null): Enrichment;
  /** Number of catalogue products compiled in. */
  readonly catalogueSize: number;
}

function mentionSentiments(entities: Entities, sentences: { text: string; score: number }[]): ProductMention[] {
  const folded = sentences.map((s) => foldText(s.text));
  return entities.products.map((p) => {
    const needle = foldText(p.surface);
    let sum = 0;
    let n = 0;
    folded.forEach((s, i) => {
      if (s.includes(needle)) {
        sum += sentences[i].score;
        n++;
      }
    });
    const mention: ProductMention = { productId: p.productId, surface: p.surface, candidate: p.candidate };
    if (n > 0) mention.sentiment = sum / n;
    return mention;
  });
}

export function createEnricher(catalogue: readonly Product[]): Enricher {
  const index = compileCatalogue(catalogue);
  return {
    catalogueSize: catalogue.length,
    enrich(text, title) {
      const doc = enrichmentText(text, title);
      const hash = textHash(text, title);
      if (!doc) {
        return { version: ENRICHMENT_VERSION, textHash: hash, ...structuredClone(EMPTY_ENTITIES), products: [], sentiment: 0, minhash: [], lsh: false };
      }
      const entities = extractEntities(doc, index);
      const sentiment = analyseSentiment(doc);
      const { minhash, lshBands } = fingerprint(doc);
      return {
        version: ENRICHMENT_VERSION,
        textHash: hash,
        products: mentionSentiments(entities, sentiment.sentences),
        mentions: entities.mentions,
        orderIds: entities.orderIds,
        urls: entities.urls,
        codes: entities.codes,
        money: entities.money,
        people: entities.people,
        organisations: entities.organisations,
        sentiment: sentiment.score,
        minhash,
        lsh: lshBands.length > 0,
      };
    },
  };
}
