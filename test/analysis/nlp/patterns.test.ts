import { describe, expect, it } from 'vitest';
import { extractAccountRefs, extractCodes, extractOrderIds, extractUrls } from '../../../analysis/nlp/patterns';

describe('pattern extractors', () => {
  it('finds URLs, trims punctuation, adds a scheme', () => {
    expect(extractUrls('see https://Shop.Example.com/p?ref=AB12. and www.foo.com/x, or amzn.to/3xYz!')).toEqual([
      'https://shop.example.com/p?ref=AB12',
      'https://www.foo.com/x',
      'https://amzn.to/3xYz',
    ]);
    expect(extractUrls('no links here. e.g. this')).toEqual([]);
  });
  it('normalises reddit and X account references, not e-mails', () => {
    expect(extractAccountRefs('thanks u/Happy_Buyer and /u/deal-guy, ping @dealguy99; mail bob@example.com')).toEqual([
      'reddit:u/Happy_Buyer',
      'reddit:u/deal-guy',
      'twitter:@dealguy99',
    ]);
    expect(extractAccountRefs('see r/gadgets/u/notthis and x@y')).toEqual([]);
  });
  it('finds order ids in three shapes', () => {
    expect(extractOrderIds('order 112-3456789-1234567, #ORD-77812ab, ORD99887766 and order #12345678')).toEqual([
      '112-3456789-1234567',
      'ORD-77812AB',
      'ORD-99887766',
      '12345678',
    ]);
    expect(extractOrderIds('call 555-1234567 or 2024-01-01')).toEqual([]);
  });
  it('finds coupon codes near cue words and referral parameters in URLs', () => {
    expect(extractCodes('Use code SAVE20 at checkout! promo code: "summer15"; coupon is WELCOME', [])).toEqual(['SAVE20', 'SUMMER15', 'WELCOME']);
    expect(extractCodes('the code is broken and the promo was fine', [])).toEqual([]);
    expect(extractCodes('', ['https://shop.example.com/p?ref=ring42&x=1', 'https://www.amazon.com/dp/B0X?tag=ringer-20&ref=sr_1_1'])).toEqual(['RING42', 'RINGER-20']);
  });
});
