import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketBuilder } from '../../../analysis/graph/buckets';

describe('BucketBuilder', () => {
  it('groups posts by key as a Map of arrays would: keys in first-seen order, posts in the order added', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'url:x', 'hashtag:1', ''), fc.nat({ max: 50 })), { maxLength: 3000 }), (adds) => {
        const builder = new BucketBuilder();
        const ref = new Map<string, number[]>();
        for (const [key, post] of adds) {
          builder.add(key, post);
          const list = ref.get(key);
          if (list) list.push(post);
          else ref.set(key, [post]);
        }
        const b = builder.finish();
        expect(b.count).toBe(ref.size);
        const got = Array.from({ length: b.count }, (_x, k) => Array.from(b.posts.subarray(b.start[k], b.start[k + 1])));
        expect(got).toEqual([...ref.values()]);
      }),
      { numRuns: 200 },
    );
  });
});
