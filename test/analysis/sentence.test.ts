// analysis/sentence: a joined sentence is the text a template literal of the same parts makes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sentence } from '../../analysis/sentence';

describe('sentence', () => {
  it('gives the same text as a template literal of the same parts, numbers written by the same ToString', () => {
    const part = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constantFrom(-0, 0.1 + 0.2, 1e21, -1e-7, Number.NaN, Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        let templated = '';
        for (const p of parts) templated = `${templated}${p}`;
        expect(sentence(...parts)).toBe(templated);
      }),
    );
  });
});
