import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCatalogue, matchCatalogue, productPhrases } from '../../../analysis/nlp/catalogue';
import { candidateKey, singular, tokenize } from '../../../analysis/nlp/text';
import type { Product } from '../../../storage/types';
import { CATALOGUE } from './corpus';

const index = compileCatalogue(CATALOGUE);
const ids = (text: string) => matchCatalogue(text, index).map((m) => m.productId ?? `?${'asin' in m ? m.asin : ''}`);

describe('text normalisation', () => {
  it('singularises plurals but leaves model tokens and short words', () => {
    expect(singular('earbuds')).toBe('earbud');
    expect(singular('batteries')).toBe('battery');
    expect(singular('boxes')).toBe('box');
    expect(singular('glass')).toBe('glass');
    expect(singular('x200s')).toBe('x200s');
    expect(singular('bus')).toBe('bus');
  });
  it('splits letter-digit and hyphenated words so X200, X-200 and X 200 agree', () => {
    const norms = (s: string) => tokenize(s).map((t) => t.norm);
    expect(norms('x200')).toEqual(['x', '200']);
    expect(norms('x-200')).toEqual(['x', '200']);
    expect(norms('x 200')).toEqual(['x', '200']);
    expect(norms('b0abcdef12')).toEqual(['b0abcdef12']);
  });
  it('candidate keys ignore case, punctuation and plurals', () => {
    expect(candidateKey('Nexora N3 Headphones!')).toBe(candidateKey('nexora n-3 headphone'));
    expect(candidateKey('"Brivo MAX" blenders')).toBe('cand:brivo-max-blender');
  });
});

describe('catalogue matching', () => {
  it('resolves names, aliases, brand + model and ids, whatever the case and plural', () => {
    expect(ids('I love my Zentro X200 Wireless Earbuds')).toEqual(['B0ZEN00001']);
    expect(ids('zentro buds are fine')).toEqual(['B0ZEN00001']);
    expect(ids('the ZENTRO x-200 is ok')).toEqual(['B0ZEN00001']);
    expect(ids('Kortex K9 speakers x2')).toEqual(['B0KORT0003']);
    expect(ids('bought b0blend002 and B0AERO0006')).toEqual(['B0BLEND002', 'B0AERO0006']);
    expect(ids('unknown B0ZZZZZZZZ id')).toEqual(['?B0ZZZZZZZZ']);
    expect(ids('nothing to see here, x200 alone is ambiguous')).toEqual([]);
  });
  it('takes the longest match and keeps the surface as written', () => {
    const m = matchCatalogue('The VitaBlend Pro 900 rocks', index);
    expect(m).toHaveLength(1);
    expect(m[0].surface).toBe('VitaBlend Pro 900');
    expect('The VitaBlend Pro 900 rocks'.slice(m[0].start, m[0].end)).toBe('VitaBlend Pro 900');
  });
  it('adds brand + name when the name lacks the brand', () => {
    const p: Product = { _id: 'x1', name: 'Glow Lamp 3', brand: 'Lumara', aliases: [] };
    expect(productPhrases(p)).toContainEqual(['lumara', 'glow', 'lamp', '3']);
  });
  it('finds every product name planted in random text (property)', () => {
    const words = ['the', 'really', 'good', 'cheap', 'bought', 'my', 'was', 'and', 'it', 'not'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 12 }), fc.integer({ min: 0, max: CATALOGUE.length - 1 }), fc.nat(), (filler, pi, pos) => {
        const at = pos % (filler.length + 1);
        const text = [...filler.slice(0, at), CATALOGUE[pi].name, ...filler.slice(at)].join(' ');
        expect(ids(text)).toEqual([CATALOGUE[pi]._id]);
      }),
      { numRuns: 200 },
    );
  });
  it('matches a 5,000-product catalogue quickly (compiled once)', () => {
    const big: Product[] = Array.from({ length: 5000 }, (_, i) => ({ _id: `p${i}`, name: `Brand${i % 97} Model ${i}X Gadget`, brand: `Brand${i % 97}`, aliases: [`gizmo ${i}`] }));
    const t0 = performance.now();
    const bigIndex = compileCatalogue(big);
    const compileMs = performance.now() - t0;
    const text = 'I bought the Brand5 Model 4370X Gadget and a gizmo 12 yesterday, both were great, and the box was fine.';
    const t1 = performance.now();
    for (let i = 0; i < 2000; i++) matchCatalogue(text, bigIndex);
    const perText = (performance.now() - t1) / 2000;
    expect(matchCatalogue(text, bigIndex).map((m) => m.productId)).toEqual(['p4370', 'p12']);
    expect(compileMs).toBeLessThan(2000);
    expect(perText).toBeLessThan(0.5); // ms; independent of catalogue size
  });
});
