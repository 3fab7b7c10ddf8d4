import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteSlab, ownedBytes, SLAB_BYTES } from '../../bolts/byte-slab';

describe('ByteSlab', () => {
  it('keeps every copy intact across slabs, whatever later happens to the sources', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: SLAB_BYTES / 3 }), { minLength: 1, maxLength: 40 }), (sources) => {
        const slab = new ByteSlab();
        const expected = sources.map((s) => [...s]);
        const copies = sources.map((s) => slab.copy(s));
        for (const s of sources) s.fill(0xab);
        expect(copies.map((c) => [...c])).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('gives a large copy a buffer of its own and small ones a view on a shared slab', () => {
    const slab = new ByteSlab();
    const big = slab.copy(new Uint8Array(SLAB_BYTES / 2));
    expect(big.buffer.byteLength).toBe(SLAB_BYTES / 2);
    const a = slab.copy(Uint8Array.of(1, 2));
    const b = slab.copy(Uint8Array.of(3));
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(SLAB_BYTES);
  });
});

describe('ownedBytes', () => {
  it('keeps a buffer of its own and copies a view on a larger one', () => {
    const own = Uint8Array.of(1, 2, 3);
    expect(ownedBytes(own)).toBe(own);
    const pool = Uint8Array.of(9, 1, 2, 3, 9);
    const view = pool.subarray(1, 4);
    const kept = ownedBytes(view);
    pool.fill(0);
    expect([...kept]).toEqual([1, 2, 3]);
  });
});
