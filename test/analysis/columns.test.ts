import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { column, grown, sliced, transferable } from '../../analysis/columns';

const root = path.resolve(__dirname, '../..');

/** Full garbage collections (`--trace-gc` mark-compacts) in a child allocating 480 MB of 8 MB arrays, four alive at a time. */
function fullCollections(allocate: 'column' | 'plain'): number {
  const script = `
    import { column } from './analysis/columns.ts';
    const alive = [];
    for (let i = 0; i < 60; i++) {
      const a = ${allocate === 'column' ? 'column(Float64Array, 1 << 20)' : 'new Float64Array(1 << 20)'};
      a.fill(i);
      alive.push(a);
      if (alive.length > 4) alive.shift();
    }
    console.log('done', alive.length);`;
  const out = execFileSync(process.execPath, ['--trace-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(out).toContain('done 4');
  return out.split('\n').filter((l) => l.includes('Mark-Compact')).length;
}

describe('column', () => {
  it('is a zeroed array of the type and length asked, shared from 4 KB on', () => {
    const makers = [
      (n: number) => ({ a: column(Int32Array, n), Type: Int32Array }),
      (n: number) => ({ a: column(Float64Array, n), Type: Float64Array }),
      (n: number) => ({ a: column(Uint8Array, n), Type: Uint8Array }),
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...makers), fc.integer({ min: 0, max: 5000 }), (make, n) => {
        const { a, Type } = make(n);
        expect(a).toBeInstanceOf(Type);
        expect(a.length).toBe(n);
        expect(a.every((v) => v === 0)).toBe(true);
        expect(a.buffer instanceof SharedArrayBuffer).toBe(n * Type.BYTES_PER_ELEMENT >= 4096);
      }),
    );
  });

  it('grown keeps the values, fills the new room, and keeps the type', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 3000 }), fc.integer({ min: 0, max: 3000 }), (values, extra) => {
        const a = grown(Int32Array.from(values), values.length + extra, -1);
        expect(a).toBeInstanceOf(Int32Array);
        expect([...a]).toEqual([...values, ...new Array(extra).fill(-1)]);
      }),
    );
  });

  it('sliced holds the first values of an array, as slice does, in a column of the same type', () => {
    // Lengths up to 3,000 doubles, so both sides of the 4 KB shared-buffer threshold occur; the values
    // are made from the length, so a failure shrinks on two integers.
    fc.assert(
      fc.property(fc.nat({ max: 3000 }), fc.nat(), fc.boolean(), (n, cut, whole) => {
        const a = column(Float64Array, n);
        for (let i = 0; i < n; i++) a[i] = i * 1.5 - 7;
        const end = whole ? undefined : cut % (n + 1);
        const b = sliced(a, end);
        expect(b).toBeInstanceOf(Float64Array);
        expect([...b]).toEqual([...a.slice(0, end)]);
        expect(b.buffer instanceof SharedArrayBuffer).toBe(b.byteLength >= 4096);
        if (b.length > 0) {
          b[0] = Number.NaN;
          expect(a[0]).toBe(-7); // a copy, not a view
        }
      }),
    );
  });

  it('transferable lists only plain buffers, and a postMessage with them passes', () => {
    const small = column(Int32Array, 10);
    const big = column(Int32Array, 10_000);
    big[9_999] = 7;
    expect(transferable([small, big])).toEqual([small.buffer]);
    const { port1, port2 } = new MessageChannel();
    const got = new Promise<Int32Array[]>((resolve) => {
      port2.once('message', resolve);
    });
    port1.postMessage([small, big], transferable([small, big]));
    return got.then(([s, b]) => {
      expect(b[9_999]).toBe(7);
      expect(s.length).toBe(10);
      expect(small.length).toBe(0); // moved, not copied
      port1.close();
    });
  });

  it('does not set off full garbage collections as plain typed arrays of the same size do', () => {
    // The reason the module exists (analysis/columns.ts): V8 starts a full GC per 64 MB of
    // ArrayBuffer memory grown. If a Node version starts counting shared memory, this fails.
    const plain = fullCollections('plain');
    const shared = fullCollections('column');
    expect(plain).toBeGreaterThanOrEqual(3);
    expect(shared).toBeLessThanOrEqual(1);
  }, 60_000);
});
