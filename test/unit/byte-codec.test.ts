// The state codec's varints: LEB128 bytes as a reference built from BigInt
// arithmetic writes them, for every magnitude up to 2^53 - 1, read back the same.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { ByteReader, varuintAt } from '../../tabs/codec/byte-reader';

/** Unsigned LEB128, by the definition. */
function leb128(value: number): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

const edges = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 52, 2 ** 53 - 1];

describe('the state codec varints', () => {
  it('writes unsigned LEB128 at every magnitude and reads it back', () => {
    const values = fc.oneof(fc.constantFrom(...edges), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 20 }), (vs) => {
        const writer = new ByteWriter(1);
        for (const v of vs) writer.varuint(v);
        const bytes = writer.finish();
        expect([...bytes]).toEqual(vs.flatMap(leb128));
        const reader = new ByteReader(bytes);
        expect(vs.map(() => reader.varuint())).toEqual(vs);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a truncated or overlong varint as corrupt', () => {
    expect(() => new ByteReader(Uint8Array.of()).varuint()).toThrow(/truncated/);
    expect(() => new ByteReader(Uint8Array.of(0x80)).varuint()).toThrow(/truncated/);
    expect(() => new ByteReader(Uint8Array.of(...Array(8).fill(0xff), 1)).varuint()).toThrow(/too long/);
    expect(() => new ByteReader(Uint8Array.of(...Array(7).fill(0xff), 0x7f)).varuint()).toThrow(/too large/);
  });

  it('reads a varint without a reader (varuintAt) as the reader does, and NaN where the reader fails', () => {
    const values = fc.oneof(fc.constantFrom(...edges), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(values, fc.nat(3), (v, lead) => {
        const bytes = Uint8Array.from([...Array<number>(lead).fill(0xaa), ...leb128(v)]);
        expect(varuintAt(bytes, lead)).toBe(v);
      }),
      { numRuns: 300 },
    );
    for (const bad of [[], [0x80], Array(8).fill(0xff).concat(1), Array(7).fill(0xff).concat(0x7f)]) {
      expect(varuintAt(Uint8Array.from(bad), 0)).toBeNaN();
    }
  });

  it('hands out pieces as views (take) that later pieces, slab changes and resets never overwrite', () => {
    const piece = fc.record({ bytes: fc.uint8Array({ maxLength: 40 }), dropped: fc.uint8Array({ maxLength: 12 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(piece, { minLength: 1, maxLength: 30 }), (slab, pieces) => {
        const writer = new ByteWriter(slab);
        const taken: Uint8Array[] = [];
        for (const p of pieces) {
          writer.bytes(p.dropped).reset(); // a piece abandoned (a failed serialization) leaves nothing behind
          writer.bytes(p.bytes);
          taken.push(writer.take());
          writer.bytes(Uint8Array.of(0xee, 0xee)); // written after the take, over nothing handed out
          writer.reset();
        }
        expect(taken.map((t) => [...t])).toEqual(pieces.map((p) => [...p.bytes]));
        writer.varuint(300);
        expect([...writer.finish()]).toEqual(leb128(300));
      }),
      { numRuns: 300 },
    );
  });

  it('grows from an initial capacity of 0', () => {
    expect([...new ByteWriter(0).varuint(300).finish()]).toEqual(leb128(300));
  });

  it('writes pairs as key gaps and counts (gapsAndCounts) byte for byte as varuint per value, after what a piece holds', () => {
    const magnitude = fc.oneof(fc.constantFrom(...edges), fc.nat({ max: 300 }), fc.integer({ min: 0, max: 2 ** 40 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(magnitude, magnitude), { minLength: 1, maxLength: 40 }), fc.nat({ max: 70 }), fc.nat({ max: 3 }), (raw, before, initial) => {
        // Keys ascending (gaps of any magnitude), the first at 0; the writer may start small and full.
        const pairs: number[] = [];
        let key = 0;
        for (const [gap, count] of raw) {
          key = pairs.length === 0 ? 0 : Math.min(key + gap, Number.MAX_SAFE_INTEGER);
          pairs.push(key, count);
        }
        const reference: number[] = [...Array(before).fill(7)];
        for (let i = 2; i < pairs.length; i += 2) reference.push(...leb128(pairs[i]! - pairs[i - 2]!), ...leb128(pairs[i + 1]!));
        const writer = new ByteWriter(initial);
        for (let b = 0; b < before; b++) writer.u8(7);
        expect([...writer.gapsAndCounts(pairs, 2, pairs.length).finish()]).toEqual(reference);
      }),
    );
  });

  it('refuses in gapsAndCounts what varuint refuses: keys out of order, a count not a safe integer', () => {
    expect(() => new ByteWriter().gapsAndCounts([5, 1, 4, 1], 2, 4)).toThrow(RangeError);
    expect(() => new ByteWriter().gapsAndCounts([5, 1, 6, 0.5], 2, 4)).toThrow(RangeError);
    expect(() => new ByteWriter().gapsAndCounts([5, 1, 6, 2 ** 53], 2, 4)).toThrow(RangeError);
  });

  it('refuses what is not an unsigned safe integer', () => {
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Infinity, -(2 ** 31)]) expect(() => new ByteWriter().varuint(bad)).toThrow(RangeError);
  });
});
