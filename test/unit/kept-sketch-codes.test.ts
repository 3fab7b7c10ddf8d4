import { afterEach, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { CodedSparse } from '../../tabs/sketches/coded-sparse';
import { bytesOf, denseRegisters, randomEntry, riceReference } from './rice-reference';
import {
  distinctAddEntry,
  distinctEntries,
  distinctMergeInto,
  newDistinct,
  readDistinct,
  readDistinctInto,
  REGISTERS,
  DENSE_HELD_CODED_AFTER_MS,
  distinctCount,
  writeDistinctHeld,
  type DistinctSketch,
} from '../../tabs/sketches/distinct-sketch';

/** A dense sketch's set registers as sorted entries, coded by the reference. */
function referenceBytes(dense: Uint8Array): Uint8Array {
  const entries: number[] = [];
  for (let r = 0; r < REGISTERS; r++) if (dense[r] !== 0) entries.push(r * 64 + dense[r]!);
  return riceReference(entries);
}

function denseWith(rng: SeededRandom, entries: number): Uint8Array {
  let sketch: DistinctSketch = newDistinct();
  while (!(sketch instanceof Uint8Array)) sketch = distinctAddEntry(sketch, randomEntry(rng));
  for (let i = 0; i < entries; i++) sketch = distinctAddEntry(sketch, randomEntry(rng));
  return sketch as Uint8Array;
}

describe('distinct sketch codes kept between writes', () => {
  it('writes the bytes of coding every entry again, through rounds of raises, merges and a change of k', () => {
    const rng = new SeededRandom(11);
    for (let trial = 0; trial < 6; trial++) {
      const sketch = denseWith(rng, 500 + trial * 300);
      expect(bytesOf(sketch)).toEqual(referenceBytes(sketch));
      let kChanged = 0;
      let lastForm = bytesOf(sketch)[0];
      for (let round = 0; round < 40; round++) {
        const kind = round % 5;
        if (kind === 0) {
          // A few raises anywhere (a second of a hot Tab).
          for (let i = 0; i < 20; i++) distinctAddEntry(sketch, randomEntry(rng));
        } else if (kind === 1) {
          // Only inside one chunk, and into the empty stretch before a clean one (its first gap moves).
          const chunk = Math.floor(rng.next() * 256);
          for (let i = 0; i < 3; i++) distinctAddEntry(sketch, randomEntry(rng, 64, chunk * 64));
        } else if (kind === 2) {
          // A dense source merged in.
          const source = new Uint8Array(REGISTERS);
          for (let i = 0; i < 200; i++) {
            const entry = randomEntry(rng);
            source[entry >>> 6] = Math.max(source[entry >>> 6]!, entry & 63);
          }
          expect(distinctMergeInto(sketch, source)).toBe(sketch);
        } else if (kind === 3) {
          // A sparse source merged in, and nothing raised at all on the next write.
          const source: number[] = [];
          for (let i = 0; i < 50; i++) source.push(randomEntry(rng));
          source.sort((a, b) => a - b);
          const unique = source.filter((e, i) => i === 0 || e >>> 6 !== source[i - 1]! >>> 6);
          distinctMergeInto(sketch, unique);
          expect(bytesOf(sketch)).toEqual(referenceBytes(sketch));
        } else {
          // Many at once: k moves as the registers fill.
          for (let i = 0; i < 400; i++) distinctAddEntry(sketch, randomEntry(rng));
        }
        const bytes = bytesOf(sketch);
        expect(bytes).toEqual(referenceBytes(sketch));
        if (bytes[0] !== lastForm) kChanged++;
        lastForm = bytes[0];
        expect(denseRegisters(readDistinct(new ByteReader(bytes)))).toEqual(sketch);
      }
      expect(kChanged).toBeGreaterThan(0);
    }
  });

  it('goes over to the packed form past 8,192 registers set, and stays true after', () => {
    const rng = new SeededRandom(5);
    const sketch = denseWith(rng, 6000);
    expect(bytesOf(sketch)).toEqual(referenceBytes(sketch));
    let set = 0;
    while (set <= 8192) {
      for (let i = 0; i < 500; i++) distinctAddEntry(sketch, randomEntry(rng));
      set = sketch.reduce((n, rank) => n + (rank > 0 ? 1 : 0), 0);
      const bytes = bytesOf(sketch);
      if (set <= 8192) expect(bytes).toEqual(referenceBytes(sketch));
      else expect(bytes[0]).toBe(2);
      const read = readDistinct(new ByteReader(bytes));
      // Read back coded while Rice-coded, dense once packed.
      expect(read).toBeInstanceOf(set <= 8192 ? CodedSparse : Uint8Array);
      expect(denseRegisters(read)).toEqual(sketch);
    }
  });

  it('codes a sketch raised by readDistinctInto (not noted) afresh', () => {
    const rng = new SeededRandom(9);
    const sketch = denseWith(rng, 3000);
    bytesOf(sketch);
    const other = denseWith(rng, 3000);
    readDistinctInto(new ByteReader(bytesOf(other)), sketch);
    expect(bytesOf(sketch)).toEqual(referenceBytes(sketch));
  });
  it('writes a sparse sketch, short or long (coded), as the reference does through inserts, raises and both merges', () => {
    const rng = new SeededRandom(23);
    for (let trial = 0; trial < 4; trial++) {
      let sketch: DistinctSketch = newDistinct();
      for (let round = 0; round < 200 && !(sketch instanceof Uint8Array); round++) {
        const kind = round % 7;
        if (kind === 6) {
          // A long source with only registers the list has, some ranks higher: the linear merge raising, setting nothing new.
          const list = distinctEntries(sketch);
          const source = list.filter((_, i) => i % 8 === 0).map((e) => (rng.next() < 0.3 && (e & 63) < 63 ? e + 1 : e));
          sketch = distinctMergeInto(sketch, source);
        } else if (kind === 0) {
          // A batch of new values anywhere.
          for (let i = 0; i < 30; i++) sketch = distinctAddEntry(sketch, randomEntry(rng));
        } else if (kind === 1) {
          // Raises only: the ranks of entries the sketch has, higher.
          const list = distinctEntries(sketch);
          for (let i = 0; i < 5 && list.length > 0; i++) {
            const at = Math.floor(rng.next() * list.length);
            const entry = list[at]!;
            if ((entry & 63) < 63) sketch = distinctAddEntry(sketch, entry + 1);
          }
        } else if (kind === 2) {
          // A client's few entries merged into a long list (mostly registers it has: entry by entry).
          const list = distinctEntries(sketch);
          const source = [...new Set(Array.from({ length: 3 }, () => list[Math.floor(rng.next() * list.length)] ?? randomEntry(rng)))]
            .map((e) => (rng.next() < 0.5 && (e & 63) < 63 ? e + 1 : e))
            .sort((a, b) => a - b);
          const unique = source.filter((e, i) => i === 0 || e >>> 6 !== source[i - 1]! >>> 6);
          sketch = distinctMergeInto(sketch, unique);
        } else if (kind === 3) {
          // A longer sparse source: the linear merge, entries before, between and after the target's.
          const source: number[] = [];
          for (let i = 0; i < 80; i++) source.push(randomEntry(rng));
          source.sort((a, b) => a - b);
          sketch = distinctMergeInto(sketch, source.filter((e, i) => i === 0 || e >>> 6 !== source[i - 1]! >>> 6));
        } else if (kind === 4) {
          // Only inside one chunk of 64 registers, and into the stretch before a clean one (its first gap moves).
          const chunk = Math.floor(rng.next() * 256);
          for (let i = 0; i < 2; i++) sketch = distinctAddEntry(sketch, randomEntry(rng, 64, chunk * 64));
        }
        // kind 5: nothing changed since the last write.
        const bytes = bytesOf(sketch);
        if (!(sketch instanceof Uint8Array)) {
          expect(bytes).toEqual(riceReference(distinctEntries(sketch)));
          // Written twice with nothing between: the same.
          expect(bytesOf(sketch)).toEqual(bytes);
          expect(distinctEntries(readDistinct(new ByteReader(bytes))!)).toEqual(distinctEntries(sketch));
        }
      }
      // It went past the coded minimum and on to dense within the rounds.
      expect(sketch).toBeInstanceOf(Uint8Array);
      expect(bytesOf(sketch)).toEqual(referenceBytes(sketch as Uint8Array));
    }
  });
  it('codes a long sparse sketch again when a merge only appends past its last register', () => {
    const rng = new SeededRandom(31);
    let sketch: DistinctSketch = newDistinct();
    // The lower half of the registers only, past the kept minimum.
    while (distinctEntries(sketch).length < 356) sketch = distinctAddEntry(sketch, randomEntry(rng, REGISTERS / 2));
    expect(bytesOf(sketch)).toEqual(riceReference(distinctEntries(sketch)));
    const source: number[] = [];
    for (let i = 0; i < 100; i++) source.push(randomEntry(rng, REGISTERS / 2, REGISTERS / 2));
    source.sort((a, b) => a - b);
    const length = distinctEntries(sketch).length;
    sketch = distinctMergeInto(sketch, source.filter((e, i) => i === 0 || e >>> 6 !== source[i - 1]! >>> 6));
    expect(distinctEntries(sketch).length).toBeGreaterThan(length);
    expect(bytesOf(sketch)).toEqual(riceReference(distinctEntries(sketch)));
  });

  describe('a dense sketch long unraised', () => {
    afterEach(() => vi.useRealTimers());
    const heldAfterWrite = (sketch: DistinctSketch): DistinctSketch => {
      const writer = new ByteWriter();
      const held = writeDistinctHeld(writer, sketch)!;
      // Written as writeDistinct writes it, whatever is held after.
      expect(writer.finish()).toEqual(referenceBytes(denseRegisters(sketch)));
      return held;
    };

    it('is held as its codes after a write once unraised for the wait, and takes entries again as its registers', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1_000_000);
      const rng = new SeededRandom(4);
      const sketch = denseWith(rng, 5000);
      const model = sketch.slice();
      expect(heldAfterWrite(sketch)).toBe(sketch);
      // Unraised, but not for long enough; then raised (the wait starts again).
      vi.setSystemTime(1_000_000 + DENSE_HELD_CODED_AFTER_MS - 1);
      expect(heldAfterWrite(sketch)).toBe(sketch);
      // A register not set: a raise.
      const entry = sketch.indexOf(0) * 64 + 1;
      distinctAddEntry(sketch, entry);
      model[entry >>> 6] = 1;
      vi.setSystemTime(1_000_000 + 2 * DENSE_HELD_CODED_AFTER_MS);
      expect(heldAfterWrite(sketch)).toBe(sketch);
      vi.setSystemTime(1_000_000 + 3 * DENSE_HELD_CODED_AFTER_MS - 1);
      expect(heldAfterWrite(sketch)).toBe(sketch);
      // Unraised for the wait: held coded, the same bytes, count and registers.
      vi.setSystemTime(1_000_000 + 3 * DENSE_HELD_CODED_AFTER_MS);
      const held = heldAfterWrite(sketch);
      expect(held).toBeInstanceOf(CodedSparse);
      expect(bytesOf(held)).toEqual(referenceBytes(model));
      expect(denseRegisters(held)).toEqual(model);
      expect(distinctCount(held)).toBe(distinctCount(model));
      expect((held as CodedSparse).stored.length).toBeLessThan(4096);
      // Entries set again: registers again, the bytes of the model raised.
      let again: DistinctSketch = held;
      for (let i = 0; i < 30; i++) {
        const e = randomEntry(rng);
        again = distinctAddEntry(again, e);
        model[e >>> 6] = Math.max(model[e >>> 6]!, e & 63);
      }
      expect(again).toBeInstanceOf(Uint8Array);
      expect(bytesOf(again)).toEqual(referenceBytes(model));
      expect(heldAfterWrite(again)).toBe(again);
    });

    it('stays registers when written packed (more than 8,192 set)', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(5_000_000);
      const sketch = denseWith(new SeededRandom(6), 20_000);
      expect(sketch.filter((rank) => rank > 0).length).toBeGreaterThan(8192);
      const writer = new ByteWriter();
      expect(writeDistinctHeld(writer, sketch)).toBe(sketch);
      vi.setSystemTime(5_000_000 + 10 * DENSE_HELD_CODED_AFTER_MS);
      expect(writeDistinctHeld(writer, sketch)).toBe(sketch);
    });
  });
});
