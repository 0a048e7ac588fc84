import { describe, expect, it } from 'vitest';
import nlp from 'compromise';
import { candidateProductKey, createEntityExtractor, sentencesWorthTagging } from '../../../analysis/nlp/entities';
import { installRingwatchPlugin, PERSON, type RingwatchView, tagLight } from '../../../analysis/nlp/plugin';
import { CATALOGUE, corpus } from './corpus';

const extract = createEntityExtractor(CATALOGUE);

describe('entity extraction', () => {
  it('extracts every kind of entity from one post', () => {
    const e = extract(
      'Just got the Zentro X200 earbuds from Amazon, order 112-3456789-1234567. Use code SAVE20 at checkout! ' +
        'Thanks u/happybuyer and @dealguy. Paid $49.99. Tim Cook would approve. https://amzn.to/abc?ref=ring42',
    );
    expect(e.products).toEqual([{ productId: 'B0ZEN00001', surface: 'Zentro X200', candidate: false }]);
    expect(e.mentions).toEqual(['reddit:u/happybuyer', 'twitter:@dealguy']);
    expect(e.orderIds).toEqual(['112-3456789-1234567']);
    expect(e.urls).toEqual(['https://amzn.to/abc?ref=ring42']);
    expect(e.codes).toEqual(['SAVE20', 'RING42']);
    expect(e.money).toEqual(['$49.99']);
    expect(e.people).toEqual(['Tim Cook']);
  });
  it('keeps unknown products as normalised candidates, and brands alone never become products', () => {
    const a = extract('The Nexora N3 headphones broke. Samsung makes better ones.');
    const b = extract('nexora n-3 is what I have. My Nexora N-3 Headphones are great.');
    expect(a.products.map((p) => p.productId)).toEqual(['cand:nexora-n-3']);
    expect(b.products.map((p) => p.productId)).toContain('cand:nexora-n-3');
    expect(a.organisations).toEqual(['Samsung']);
    expect(candidateProductKey('Apple headphones')).toBe('cand:apple-headphone');
    expect(candidateProductKey('Brivo Max blenders')).toBe('cand:brivo-max');
    expect(extract('Elena recommended the Brivo Max blender instead.').products).toEqual([{ productId: 'cand:brivo-max', surface: 'Brivo Max blender', candidate: true }]);
  });
  it('does not report a catalogue product again as a candidate', () => {
    const e = extract('My Kortex K9 Speaker is loud. The Kortex K9 speakers are loud.');
    expect(e.products).toEqual([{ productId: 'B0KORT0003', surface: 'Kortex K9 Speaker', candidate: false }]);
  });
  it('unknown ASIN-like ids become candidates keyed by the id', () => {
    expect(extract('bought B0ABCDEF12 twice').products).toEqual([{ productId: 'cand:b0abcdef12', surface: 'B0ABCDEF12', candidate: true }]);
  });
  it('returns empty lists for empty text', () => {
    for (const t of ['', '   ']) expect(extract(t)).toEqual({ products: [], mentions: [], orderIds: [], urls: [], codes: [], money: [], people: [], organisations: [] });
  });
  it('does not read handles or codes out of URLs', () => {
    const e = extract('see https://example.com/@someone/u/other?coupon=ABC123');
    expect(e.mentions).toEqual([]);
    expect(e.codes).toEqual(['ABC123']);
  });
  it('tags only sentences that can hold names or money, and skipping the rest changes nothing', () => {
    expect(sentencesWorthTagging('it works great. the box was dented.')).toBe('');
    expect(sentencesWorthTagging('it works great. Paid 20 dollars. i told Maria.')).toBe('Paid 20 dollars. i told Maria.');
    // Against tagging everything: same people, organisations and money on a varied corpus.
    const whole = createEntityExtractor(CATALOGUE);
    for (const p of corpus(150, 11)) {
      const gated = whole(p.text);
      const perSentence = p.text.split(/(?<=[.!?])\s+/).map((s) => whole(s));
      const flat = (k: 'people' | 'money' | 'organisations') => [...new Set(perSentence.flatMap((e) => e[k]))].sort();
      expect([...gated.people].sort()).toEqual(flat('people'));
      expect([...gated.money].sort()).toEqual(flat('money'));
    }
  });
  it('light tagging finds the same entities as compromise\'s full pipeline', () => {
    installRingwatchPlugin();
    const names = ['Tim Cook would approve.', 'John Smith recommended it.', 'Apple and Samsung make better ones.', 'Elon Musk tweeted about the Tesla Model 3.', 'My friend Sarah Connor loved it.', 'Jeff Bezos and Amazon Inc. are rich.'];
    const select = (d: RingwatchView, person: string) => [person, '#Organization+', '#Money+'].map((m) => d.match(m).out('array')).concat([d.productPhrases().out('array')]);
    for (const t of [...names, ...corpus(300, 13).map((p) => p.text)]) {
      expect(select(tagLight(t), PERSON), t).toEqual(select(nlp(t) as RingwatchView, '#Person+'));
    }
  });
});
