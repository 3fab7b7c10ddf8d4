import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import { copyBits, finishCodes, putEntries, riceOut, startCodes } from '../../tabs/sketches/rice-code-writer';

/** The bits of `bytes` from `from`, `count` of them, most significant first, one number each. */
function bitsOf(bytes: Uint8Array, from: number, count: number): number[] {
  const out: number[] = [];
  for (let b = from; b < from + count; b++) out.push((bytes[b >>> 3]! >>> (7 - (b & 7))) & 1);
  return out;
}

describe('copyBits', () => {
  it('appends the bits asked for after those written, at every offset of the source and of the writer, short runs and long', () => {
    const rng = new SeededRandom(5);
    const source = new Uint8Array(700);
    for (let i = 0; i < source.length; i++) source[i] = Math.floor(rng.next() * 256);
    const view = new DataView(source.buffer);
    let aligned = 0;
    for (let trial = 0; trial < 600; trial++) {
      const from = Math.floor(rng.next() * 16);
      const count = trial % 3 === 0 ? Math.floor(rng.next() * 40) : Math.floor(rng.next() * 4000);
      startCodes();
      // The writer stands `lead` bits into a byte: that many copied one by one first.
      const lead = Math.floor(rng.next() * 8);
      const leadBits: number[] = [];
      for (let i = 0; i < lead; i++) {
        copyBits(source, view, i, 1);
        leadBits.push(bitsOf(source, i, 1)[0]!);
      }
      if ((from & 7) === (lead & 7) && count >= 256) aligned++;
      copyBits(source, view, from, count);
      const bytes = finishCodes();
      const written = bitsOf(riceOut, 0, lead + count);
      expect(written).toEqual([...leadBits, ...bitsOf(source, from, count)]);
      // The padding is zeros.
      expect(bitsOf(riceOut, lead + count, bytes * 8 - lead - count).every((b) => b === 0)).toBe(true);
    }
    // Runs where the byte copy applies came up too.
    expect(aligned).toBeGreaterThan(20);
  });
});

describe('putEntries', () => {
  it('refuses an entry at or before the register it is coded after, where its gap would be ~2^32 ones', () => {
    startCodes();
    expect(() => putEntries([100 * 64 + 1], 0, 1, 100, 3)).toThrow(/register 100 after 100 is out of order/);
    expect(() => putEntries([5 * 64 + 1, 4 * 64 + 1], 0, 2, -1, 0)).toThrow(/register 4 after 5 is out of order/);
    // In order (the last register, the highest rank): coded.
    startCodes();
    putEntries([0 * 64 + 1, 16383 * 64 + 63], 0, 2, -1, 0);
    expect(finishCodes()).toBeGreaterThan(0);
  });
});
