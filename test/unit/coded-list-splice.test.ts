import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { splice, spliceEntries } from '../../tabs/sketches/coded-list-splice';
import { listIndexOf } from '../../tabs/sketches/coded-list-index';
import { CodedSparse } from '../../tabs/sketches/coded-sparse';
import { cloneDistinct, readDistinct, writeDistinctHeld, distinctAddEntry, distinctCount, distinctEntries, newDistinct, type DistinctSketch } from '../../tabs/sketches/distinct-sketch';
import { writtenCodes } from '../../tabs/sketches/kept-sketch-codes';
import { riceK } from '../../tabs/sketches/rice-code-writer';
import { bytesOf, randomEntry, riceReference } from './rice-reference';

/** Sorted entries, one per register at its highest rank. */
function union(entries: readonly number[]): number[] {
  const best = new Map<number, number>();
  for (const e of entries) best.set(e >>> 6, Math.max(best.get(e >>> 6) ?? 0, e));
  return [...best.values()].sort((a, b) => a - b);
}

/** The codes' length in bits of sorted entries, by the Rice form's definition. */
function codeBits(entries: readonly number[]): number {
  const k = riceK(entries.length, entries[entries.length - 1]! >>> 6);
  let bits = 0;
  let previous = -1;
  for (const e of entries) {
    bits += ((e >>> 6) - previous - 1 >>> k) + 1 + k + (e & 63);
    previous = e >>> 6;
  }
  return bits;
}

/** Entries over a span of `span` registers from `from`, `count` of them different. */
function listOf(rng: SeededRandom, count: number, span: number, from: number): number[] {
  const best = new Map<number, number>();
  while (best.size < count) {
    const e = randomEntry(rng, span, from);
    best.set(e >>> 6, Math.max(best.get(e >>> 6) ?? 0, e));
  }
  return [...best.values()].sort((a, b) => a - b);
}

function writtenBytes(): Uint8Array {
  const { count, k, bytes, codes } = writtenCodes;
  const writer = new ByteWriter().u8((count >= 256 ? 32 : 16) + k).varuint(count);
  if (count >= 256) writer.varuint(bytes);
  return writer.bytes(codes.subarray(0, bytes)).finish();
}

describe('coded list splice', () => {
  it('gives the bytes of coding the merged list whole, or says the Rice parameter changes, or that nothing changed', () => {
    const rng = new SeededRandom(21);
    let spliced = 0;
    let refused = 0;
    let unchanged = 0;
    for (let round = 0; round < 600; round++) {
      // Lists spread wide (k 2-4) or close (k 0-1), of 256 to 2,100 entries.
      const count = 256 + Math.floor(rng.next() * 1850);
      const span = rng.next() < 0.3 ? count + Math.floor(rng.next() * count) : 16384;
      const base = listOf(rng, count, span, Math.floor(rng.next() * (16384 - span + 1)));
      const stored = riceReference(base);
      const reader = new ByteReader(stored, 'test');
      const k = reader.u8() - 32;
      reader.varuint();
      reader.varuint();
      const from = reader.offset * 8;
      // Added: new registers anywhere (past the last too), the list's own at higher, equal and lower ranks, repeats.
      const added: number[] = [];
      const n = [0, 1, 3, 20, 80, 400][Math.floor(rng.next() * 6)]!;
      for (let i = 0; i < n; i++) {
        const pick = rng.next();
        const own = base[Math.floor(rng.next() * base.length)]!;
        if (pick < 0.4) added.push(randomEntry(rng));
        else if (pick < 0.6) added.push(Math.min(own + 1 + Math.floor(rng.next() * 3), own | 63));
        else if (pick < 0.9) added.push(own - Math.floor(rng.next() * ((own & 63) - 1)));
        else added.push(added.length > 0 ? added[added.length - 1]! : own);
      }
      const sorted = Uint32Array.from(added).sort();
      const merged = union([...base, ...added]);
      const ok = spliceEntries(stored, from, from + codeBits(base), base.length, k, base[base.length - 1]! >>> 6, sorted, sorted.length);
      const same = merged.length === base.length && merged.every((e, i) => e === base[i]);
      expect(splice.changed).toBe(!same);
      expect(splice.last).toBe(merged[merged.length - 1]! >>> 6);
      if (same) {
        expect(ok).toBe(true);
        unchanged++;
      } else if (riceK(merged.length, merged[merged.length - 1]! >>> 6) !== k) {
        expect(ok).toBe(false);
        refused++;
      } else {
        expect(ok).toBe(true);
        expect(writtenBytes()).toEqual(riceReference(merged));
        expect(writtenCodes.bits).toBe(codeBits(merged));
        spliced++;
      }
    }
    // Every case came up.
    expect(spliced).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(5);
    expect(unchanged).toBeGreaterThan(5);
  });

  it('keeps a coded sketch written after every few entries the bytes of its entries coded whole, and its index, round after round', () => {
    const rng = new SeededRandom(8);
    let indexed = 0;
    for (let sketchNo = 0; sketchNo < 20; sketchNo++) {
      let sketch: DistinctSketch = newDistinct();
      const all: number[] = [];
      const span = sketchNo % 3 === 0 ? 3000 : 16384;
      while (all.length < 300) {
        const e = randomEntry(rng, span);
        all.push(e);
        sketch = distinctAddEntry(sketch, e);
      }
      // Rounds of a few entries each, written between, until the list is past the sparse limit.
      for (let round = 0; round < 400 && !(sketch instanceof Uint8Array); round++) {
        const n = 1 + Math.floor(rng.next() * (round % 10 === 0 ? 200 : 12));
        for (let i = 0; i < n; i++) {
          const e = rng.next() < 0.3 ? all[Math.floor(rng.next() * all.length)]! + (rng.next() < 0.5 ? 1 : 0) : randomEntry(rng, span);
          const entry = (e & 63) === 0 ? e - 1 : e;
          all.push(entry);
          sketch = distinctAddEntry(sketch, entry);
        }
        const model = union(all);
        if (sketch instanceof CodedSparse) {
          expect(bytesOf(sketch)).toEqual(riceReference(model));
          expect(sketch.count).toBe(model.length);
          expect(sketch.last).toBe(model[model.length - 1]! >>> 6);
          expect(sketch.bits).toBe(codeBits(model));
          expect(distinctEntries(sketch)).toEqual(model);
          // A long list spliced is indexed from then on: its index is that of the entries as coded now.
          if (sketch.index !== undefined) {
            indexed++;
            const k = riceK(model.length, model[model.length - 1]! >>> 6);
            expect(Array.from(sketch.index)).toEqual(Array.from(listIndexOf(model, model.length, k)));
          }
        }
        const registers = new Uint8Array(16384);
        for (const e of model) registers[e >>> 6] = e & 63;
        expect(distinctCount(sketch)).toBe(distinctCount(registers));
      }
    }
    // The index was there for hundreds of writes (lists of 512 entries or more).
    expect(indexed).toBeGreaterThan(300);
  });

  it('writes the next forms of a coded sketch into its own buffer while they fit, and a clone apart from its original', () => {
    const rng = new SeededRandom(12);
    let sketch: DistinctSketch = newDistinct();
    const all: number[] = [];
    while (all.length < 600) {
      const e = randomEntry(rng);
      all.push(e);
      sketch = distinctAddEntry(sketch, e);
    }
    expect(sketch).toBeInstanceOf(CodedSparse);
    const coded = sketch as CodedSparse;
    let reused = 0;
    for (let round = 0; round < 60; round++) {
      const before = coded.stored.buffer;
      for (let i = 0; i < 5; i++) {
        const e = randomEntry(rng);
        all.push(e);
        expect(distinctAddEntry(coded, e)).toBe(coded);
      }
      expect(bytesOf(coded)).toEqual(riceReference(union(all)));
      if (coded.stored.buffer === before) reused++;
    }
    // Most writes found room in the buffer the one before left (a new one when the list outgrew it).
    expect(reused).toBeGreaterThan(40);
    // Written as a closed bucket, it keeps its bytes and lets its index go.
    expect(coded.index).toBeDefined();
    const closed = new ByteWriter();
    expect(writeDistinctHeld(closed, coded)).toBe(coded);
    expect(closed.finish()).toEqual(bytesOf(coded));
    expect(coded.index).toBeUndefined();
    // A clone takes entries and is written (in its buffer) while its original keeps its bytes, and the other way round.
    const clone = cloneDistinct(coded) as CodedSparse;
    const originalBytes = bytesOf(coded);
    const cloneEntries = [...all];
    for (let i = 0; i < 5; i++) {
      const e = randomEntry(rng);
      cloneEntries.push(e);
      distinctAddEntry(clone, e);
    }
    expect(bytesOf(clone)).toEqual(riceReference(union(cloneEntries)));
    expect(bytesOf(coded)).toEqual(originalBytes);
    for (let i = 0; i < 5; i++) {
      const e = randomEntry(rng);
      all.push(e);
      distinctAddEntry(coded, e);
    }
    expect(bytesOf(coded)).toEqual(riceReference(union(all)));
    expect(bytesOf(clone)).toEqual(riceReference(union(cloneEntries)));
  });

  it('writes a list read from a Buffer view (a Redis reply) into buffers of its own, the bytes around it untouched', () => {
    const rng = new SeededRandom(14);
    const all: number[] = [];
    let sketch: DistinctSketch = newDistinct();
    while (all.length < 700) {
      const e = randomEntry(rng);
      all.push(e);
      sketch = distinctAddEntry(sketch, e);
    }
    const stored = bytesOf(sketch);
    // A reply's bytes in a larger buffer: other data before and after, as in a pipeline's reply or Buffer's pool.
    const reply = Buffer.alloc(stored.length + 4096, 0xa5);
    reply.set(stored, 2048);
    const before = Buffer.from(reply);
    const read = readDistinct(new ByteReader(reply.subarray(2048, 2048 + stored.length)));
    expect(read).toBeInstanceOf(CodedSparse);
    let held = read!;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 1 + (round % 7); i++) {
        const e = randomEntry(rng);
        all.push(e);
        held = distinctAddEntry(held, e);
      }
      expect(bytesOf(held)).toEqual(riceReference(union(all)));
    }
    expect(Buffer.compare(reply, before)).toBe(0);
  });
});
