import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { uniqueHandler } from '../../tabs/handlers/unique';
import type { TabEvent } from '../../tabs/event';
import {
  cloneDistinct,
  distinctAdd,
  distinctAddEntry,
  distinctCount,
  distinctEntries,
  distinctEntry,
  distinctMergeInto,
  newDistinct,
  readDistinct,
  readDistinctInto,
  sizedEntries,
  skipDistinct,
  STANDARD_ERROR,
  writeDistinct,
  type DistinctSketch,
} from '../../tabs/sketches/distinct-sketch';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { CodedSparse } from '../../tabs/sketches/coded-sparse';
import { hyperLogLogEstimate } from '../../tabs/sketches/hyperloglog-estimate';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { nativeSketchAnswers as native } from '../support/native-sketch-answers';
import { bytesOf, denseRegisters } from './rice-reference';

const NOW = 1_700_000_000_000;

describe('distinct sketch (HyperLogLog, precision 14)', () => {
  it('counts 1e6 distinct values within 2 % through the unique handler, and re-adding them changes nothing', () => {
    const state = uniqueHandler.newState();
    const event: TabEvent = { tab: 'users', type: 'unique', value: '', time: NOW, client: 'c' };
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      event.value = `user-${i}`;
      event.time = NOW - (i % 50_000);
      uniqueHandler.fold(state, event);
    }
    const first = uniqueHandler.render(uniqueHandler.project(state, NOW)) as Record<string, { count: number; distinct: number }>;
    for (const window of ['1m', '10m', 'all']) {
      expect(first[window].count).toBe(n);
      expect(Math.abs(first[window].distinct - n) / n).toBeLessThan(0.02);
    }
    for (let i = 0; i < n; i += 3) {
      event.value = `user-${i}`;
      uniqueHandler.fold(state, event);
    }
    const again = uniqueHandler.render(uniqueHandler.project(state, NOW)) as typeof first;
    expect(again.all.distinct).toBe(first.all.distinct);
    expect(again.all.count).toBeGreaterThan(n);
    // Serialized, the dense buckets pack into 12 KiB each.
    const bytes = uniqueHandler.serialize(state);
    expect(uniqueHandler.render(uniqueHandler.project(uniqueHandler.deserialize(bytes), NOW))).toEqual(again);
  });

  it('counts as the hyperloglog package did for the same values, sparse and dense, up to 1e6', () => {
    const sketches = new Map<string, { sketch: DistinctSketch; added: number }>();
    for (const { prefix, count, estimate } of native.estimatesFromValues) {
      const entry = sketches.get(prefix) ?? { sketch: newDistinct(), added: 0 };
      sketches.set(prefix, entry);
      for (; entry.added < count; entry.added++) entry.sketch = distinctAdd(entry.sketch, `${prefix}${entry.added}`);
      expect(distinctCount(entry.sketch), `${prefix} ×${count}`).toBe(estimate);
      expect(distinctCount(readDistinct(new ByteReader(bytesOf(entry.sketch)))!)).toBe(estimate);
    }
  });

  it('puts values with NUL in the registers they have always had (hashed escaped)', () => {
    for (const { value, entry } of native.nulEntries) expect(distinctEntry(value), JSON.stringify(value)).toBe(entry);
  });

  it('estimates within 3 standard errors from 0 to 100k distinct values', () => {
    let sketch = newDistinct();
    let added = 0;
    for (const target of [1, 10, 100, 1_000, 3_000, 10_000, 100_000]) {
      for (; added < target; added++) sketch = distinctAdd(sketch, `item:${added}`);
      expect(Math.abs(distinctCount(sketch) - target)).toBeLessThanOrEqual(Math.max(1, 3 * STANDARD_ERROR * target));
    }
    expect(distinctCount(newDistinct())).toBe(0);
  });

  it('merges as a register-wise max: associative, commutative, idempotent, equal to the union', () => {
    const values = fc.array(fc.string({ maxLength: 12 }), { maxLength: 3000 });
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const [sa, sb, sc, all] = [a, b, c, [...c, ...a, ...b]].map((vs) => {
          let s = newDistinct();
          for (const v of vs) s = distinctAdd(s, v);
          return s;
        });
        const merged = (x: DistinctSketch, y: DistinctSketch) => distinctMergeInto(cloneDistinct(x), y);
        const left = merged(merged(sa, sb), sc);
        const right = merged(sa, merged(sc, sb));
        expect(bytesOf(left)).toEqual(bytesOf(right));
        expect(bytesOf(left)).toEqual(bytesOf(all));
        expect(bytesOf(merged(left, left))).toEqual(bytesOf(left));
        expect(distinctCount(left)).toBe(distinctCount(all));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the registers a dense array would, sparse or dense, read back or merged, across the switch', () => {
    // Entries (register·64 + rank) in few registers, so ranks compete, or in many, so sketches go dense.
    const entry = (registers: number) => fc.record({ register: fc.nat(registers - 1), rank: fc.integer({ min: 1, max: 63 }) }).map(({ register, rank }) => register * 64 + rank);
    const entries = fc.oneof(fc.array(entry(40), { maxLength: 300 }), fc.array(entry(16384), { minLength: 1500, maxLength: 3000 }));
    fc.assert(
      fc.property(entries, entries, (a, b) => {
        // Both empty (a case the generator makes now and then) included: the model, dense and all zero, is written as the empty sketch too.
        const model = new Uint8Array(16384);
        const add = (sketch: DistinctSketch, e: number) => {
          model[e >>> 6] = Math.max(model[e >>> 6], e & 63);
          return distinctAddEntry(sketch, e);
        };
        const sa = a.reduce(add, newDistinct());
        const sb = b.reduce(add, newDistinct());
        const merged = distinctMergeInto(cloneDistinct(sa), sb);
        for (const sketch of [merged, distinctMergeInto(cloneDistinct(sb), sa), readDistinct(new ByteReader(bytesOf(merged))) ?? newDistinct()]) {
          expect(bytesOf(sketch)).toEqual(bytesOf(model));
          expect(distinctCount(sketch)).toBe(distinctCount(model));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('does not let a NUL cut a value short', () => {
    let sketch = newDistinct();
    for (const v of ['a', 'a\0b', 'a\0c', '\0']) sketch = distinctAdd(sketch, v);
    expect(distinctCount(sketch)).toBe(4);
  });

  it('round-trips sparse and dense forms, and refuses corrupt ones', () => {
    for (const n of [0, 1, 500, 5_000, 60_000]) {
      let sketch = newDistinct();
      for (let i = 0; i < n; i++) sketch = distinctAdd(sketch, String(i));
      const bytes = bytesOf(sketch);
      const back = readDistinct(new ByteReader(bytes)) ?? newDistinct();
      expect(bytesOf(back)).toEqual(bytes);
      expect(distinctCount(back)).toBe(distinctCount(sketch));
      expect(bytes.length).toBeLessThanOrEqual(1 + 12_288);
    }
    expect(() => readDistinct(new ByteReader(Uint8Array.of(7)))).toThrow(/unknown distinct sketch form/);
    expect(() => readDistinct(new ByteReader(Uint8Array.of(1, 1, 64)))).toThrow(/out of range/);
  });

  /** Registers (one rank each) from sparse entries, by the definition: no sketch code involved. */
  const registersOf = (entries: readonly number[]): Uint8Array => {
    const dense = new Uint8Array(16384);
    for (const e of entries) dense[e >>> 6] = Math.max(dense[e >>> 6]!, e & 63);
    return dense;
  };
  const entriesArb = (max: number, min = 0) =>
    fc.uniqueArray(fc.integer({ min: 0, max: 16383 }), { minLength: min, maxLength: max }).chain((regs) =>
      fc.array(fc.integer({ min: 1, max: 63 }), { minLength: regs.length, maxLength: regs.length }).map((ranks) =>
        regs.map((r, i) => r * 64 + ranks[i]!).sort((a, b) => a - b),
      ),
    );

  it('writes sparse entries Rice-coded (form 16 + k) that read back to the same registers, still reads varuint gaps (form 1), and refuses corrupt codes', () => {
    fc.assert(
      fc.property(entriesArb(9_000), (entries) => {
        // Sparse up to 2,048 entries, dense past it: either way written sparse up to 8,192 registers.
        let sketch = newDistinct();
        for (const e of entries) sketch = distinctAddEntry(sketch, e);
        const bytes = bytesOf(sketch);
        if (entries.length === 0) expect(bytes).toEqual(Uint8Array.of(0));
        else if (entries.length < 256) expect(bytes[0]! >= 16 && bytes[0]! <= 29).toBe(true);
        // 256 entries or more: the same codes with their length (form 32 + k).
        else if (entries.length <= 8_192) expect(bytes[0]! >= 32 && bytes[0]! <= 45).toBe(true);
        else expect(bytes[0]).toBe(2);
        const back = readDistinct(new ByteReader(bytes)) ?? newDistinct();
        expect(registersOf(distinctEntries(back))).toEqual(registersOf(entries));
        // The same entries as varuint gaps (the format before) read back to the same sketch.
        const old = new ByteWriter().u8(1).varuint(entries.length);
        entries.forEach((e, i) => old.varuint(e - (i === 0 ? 0 : entries[i - 1]!)));
        if (entries.length > 0) expect(bytesOf(readDistinct(new ByteReader(old.finish()))!)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
    // ~9 bits an entry for 500 registers set, where varuint gaps took two bytes or more.
    let five = newDistinct();
    for (let i = 0; i < 500; i++) five = distinctAdd(five, `v${i}`);
    expect(bytesOf(five).length).toBeLessThan(500 * 1.25);
    const one = bytesOf(distinctAdd(newDistinct(), 'x'));
    expect(() => readDistinct(new ByteReader(one.subarray(0, one.length - 1)))).toThrow(/truncated/);
    const padded = Uint8Array.from(one);
    padded[padded.length - 1]! |= 1;
    // Either the padding or the code it now ends differently is refused; never a sketch read from it.
    expect(() => readDistinct(new ByteReader(padded))).toThrow(/padding|unary|out of range|truncated/);
    // k = 0, one entry: a gap of 16,384 ones (past the last register).
    const far = new ByteWriter().u8(16).varuint(1);
    for (let i = 0; i < 2_049; i++) far.u8(0xff);
    expect(() => readDistinct(new ByteReader(far.finish()))).toThrow(/unary code over|out of range/);
    expect(() => readDistinct(new ByteReader(Uint8Array.of(30, 1, 0)))).toThrow(/unknown distinct sketch form 30/);
  });

  it('writes a dense sketch as entries up to 8,192 registers set and packed past them, wherever the set registers lie', () => {
    for (const [set, form] of [
      [8_192, 'rice'],
      [8_193, 'packed'],
    ] as const) {
      // The registers set at the front, at the back, and spread out (the walk checks the limit a chunk at a time).
      for (const registerOf of [(i: number) => i, (i: number) => 16_383 - i, (i: number) => Math.floor((i * 16_384) / set)]) {
        let sketch = newDistinct();
        for (let i = 0; i < set; i++) sketch = distinctAddEntry(sketch, registerOf(i) * 64 + 1 + (i % 63));
        const bytes = bytesOf(sketch);
        if (form === 'rice') expect(bytes[0]! >= 32 && bytes[0]! <= 45).toBe(true);
        else expect(bytes[0]).toBe(2);
        const read = readDistinct(new ByteReader(bytes));
        // Read back held coded while Rice-coded (its bytes as read), dense once packed; the same registers and count.
        expect(read).toBeInstanceOf(form === 'rice' ? CodedSparse : Uint8Array);
        expect(denseRegisters(read)).toEqual(sketch);
        expect(distinctCount(read!)).toBe(distinctCount(sketch));
        expect(bytesOf(read!)).toEqual(bytes);
      }
    }
  });

  it('reads stored sketches into one set of registers as their register-wise max, counting each register it sets that was zero', () => {
    fc.assert(
      fc.property(fc.array(entriesArb(9_000), { minLength: 1, maxLength: 3 }), (sketches) => {
        const registers = new Uint8Array(16384);
        let set = 0;
        for (const entries of sketches) {
          let sketch = newDistinct();
          for (const e of entries) sketch = distinctAddEntry(sketch, e);
          set += readDistinctInto(new ByteReader(bytesOf(sketch)), registers);
        }
        const expected = registersOf(sketches.flat());
        expect(registers).toEqual(expected);
        expect(set).toBe(expected.filter((rank) => rank > 0).length);
      }),
      { numRuns: 100 },
    );
  });

  it('writes sketches of 256 entries or more with their length: stepped over unread, their codes refused when the length disagrees', () => {
    let sketch = newDistinct();
    for (let i = 0; i < 1_000; i++) sketch = distinctAdd(sketch, `v${i}`);
    const entries = distinctEntries(sketch).length;
    const bytes = bytesOf(sketch);
    expect(bytes[0]! >= 32 && bytes[0]! <= 45).toBe(true);
    const followed = Uint8Array.from([...bytes, 0xab]);
    // Stepped over: its entry count, and the reader at the byte after it.
    const reader = new ByteReader(followed);
    expect(sizedEntries(reader)).toBe(entries);
    expect(reader.u8()).toBe(0xab);
    const skipping = new ByteReader(followed);
    skipDistinct(skipping);
    expect(skipping.u8()).toBe(0xab);
    // Smaller sketches keep the form without a length: sizedEntries reads nothing of them.
    const small = bytesOf(distinctAdd(newDistinct(), 'x'));
    const smallReader = new ByteReader(small);
    expect(sizedEntries(smallReader)).toBeUndefined();
    expect(smallReader.offset).toBe(0);
    // The length one byte longer or shorter than the codes: refused, never a sketch read from it.
    const header = new ByteReader(bytes);
    header.u8();
    header.varuint();
    const lengthAt = header.offset;
    const length = header.varuint();
    expect(length).toBeLessThan(128 * 128);
    for (const wrong of [length - 1, length + 1]) {
      const w = new ByteWriter().bytes(bytes.subarray(0, lengthAt)).varuint(wrong).bytes(bytes.subarray(header.offset));
      if (wrong > length) w.u8(0);
      expect(() => readDistinct(new ByteReader(w.finish()))).toThrow(/length|truncated|padding|out of range/);
    }
  });

  it('reads a Rice-coded sketch between other bytes: the bytes it read ahead are given back, and its padding is still checked', () => {
    fc.assert(
      fc.property(entriesArb(3_000), fc.uint8Array({ minLength: 1, maxLength: 8 }), (entries, suffix) => {
        let sketch = newDistinct();
        for (const e of entries) sketch = distinctAddEntry(sketch, e);
        const writer = new ByteWriter().u8(0xa5).varuint(300);
        writeDistinct(writer, sketch);
        writer.bytes(suffix);
        const reader = new ByteReader(writer.finish());
        expect([reader.u8(), reader.varuint()]).toEqual([0xa5, 300]);
        const back = readDistinct(reader) ?? newDistinct();
        expect(registersOf(distinctEntries(back))).toEqual(registersOf(entries));
        // The reader stands just past the sketch: what follows reads as written.
        expect(Array.from(suffix, () => reader.u8())).toEqual([...suffix]);
        expect(reader.remaining).toBe(0);
      }),
      { numRuns: 200 },
    );
    // A sketch whose last byte ends in padding (its low bit set refuses it alone), then bytes after it: still refused.
    const withPadding = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
      .map((v) => bytesOf(distinctAdd(newDistinct(), v)))
      .find((bytes) => {
        const flipped = Uint8Array.from(bytes);
        flipped[flipped.length - 1]! |= 1;
        try {
          readDistinct(new ByteReader(flipped));
          return false;
        } catch (err) {
          return /padding/.test(String(err));
        }
      });
    expect(withPadding).toBeDefined();
    const flipped = Uint8Array.from(withPadding!);
    flipped[flipped.length - 1]! |= 1;
    const followed = new ByteWriter().bytes(flipped).bytes(Uint8Array.of(0, 0xff, 0, 0xff)).finish();
    expect(() => readDistinct(new ByteReader(followed))).toThrow(/padding/);
  });

  it('counts a sparse sketch as the estimator counts its dense registers, to the last bit, up to a quarter of the registers set', () => {
    for (const set of [1, 2, 3, 10, 100, 1000, 2047, 2048, 4096]) {
      const entries = Array.from({ length: set }, (_, i) => Math.floor((i * 16384) / set) * 64 + 1 + (i % 60));
      const sketch: DistinctSketch = set <= 2048 ? entries : (registersOf(entries) as DistinctSketch);
      expect(distinctCount(sketch), `${set} set`).toBe(hyperLogLogEstimate(registersOf(entries)));
    }
    fc.assert(
      fc.property(entriesArb(2048), (entries) => {
        if (entries.length === 0) return;
        expect(distinctCount(entries)).toBe(hyperLogLogEstimate(registersOf(entries)));
      }),
      { numRuns: 200 },
    );
  });

  /** A merge's result holds the register-wise max of all the entries: sorted, one entry a register, while sparse. */
  const expectMergeOf = (merged: DistinctSketch, entries: readonly number[]) => {
    const got = merged instanceof Uint8Array ? merged : registersOf(distinctEntries(merged));
    expect(Buffer.from(got).equals(Buffer.from(registersOf(entries)))).toBe(true);
    if (!(merged instanceof Uint8Array)) {
      const list = distinctEntries(merged);
      for (let i = 1; i < list.length; i++) expect(list[i]! >>> 6).toBeGreaterThan(list[i - 1]! >>> 6);
      expect(list.length).toBeLessThanOrEqual(2048);
    }
  };

  it('merges two sparse sketches into the register-wise max, sorted, the source untouched', () => {
    fc.assert(
      fc.property(entriesArb(1500), entriesArb(1500), (a, b) => {
        const source = b.slice();
        const merged = distinctMergeInto(a.slice(), source);
        expect(source).toEqual(b);
        expectMergeOf(merged, [...a, ...b]);
      }),
      { numRuns: 200 },
    );
  });

  it('merges a few entries into a long sparse list (a Tab record): registers it has entry by entry, the rest in one pass; sorted, dense past the limit', () => {
    // A source of up to 8 entries, each a register of the target's (at another rank) or a random one, as a sketch holds them: sorted, one entry a register.
    const few = (target: readonly number[]) =>
      fc
        .array(fc.record({ ofTarget: fc.boolean(), pick: fc.nat(), register: fc.nat(16383), rank: fc.integer({ min: 1, max: 63 }) }), { minLength: 1, maxLength: 8 })
        .map((picks) => {
          let sketch: DistinctSketch = [];
          for (const { ofTarget, pick, register, rank } of picks) {
            const r = ofTarget ? target[pick % target.length]! >>> 6 : register;
            sketch = distinctAddEntry(sketch, r * 64 + rank);
          }
          return sketch as number[];
        });
    // Targets from a few hundred entries to the sparse limit, so a new register sometimes tips one over to dense.
    fc.assert(
      fc.property(
        fc.oneof(entriesArb(2048, 200), entriesArb(2048, 2040)).chain((target) => fc.tuple(fc.constant(target), few(target))),
        ([target, source]) => {
          const merged = distinctMergeInto(target.slice(), source);
          expectMergeOf(merged, [...target, ...source]);
        },
      ),
      // No shrinking: a failing 2,000-entry case shrinks for minutes.
      { numRuns: 200, endOnFailure: true },
    );
  });
});

describe('distinct sketch: long sparse lists held coded', () => {
  const registersOf = (entries: readonly number[]): Uint8Array => {
    const registers = new Uint8Array(16384);
    for (const e of entries) registers[e >>> 6] = Math.max(registers[e >>> 6]!, e & 63);
    return registers;
  };
  /** Entries (register·64 + rank, ranks 1-63), in random order (as values hash), registers repeating now and then. */
  const entryArb = fc.record({ register: fc.nat(16383), rank: fc.integer({ min: 1, max: 63 }) }).map(({ register, rank }) => register * 64 + rank);
  /** Entries of `min` to `max` different registers, in random order. */
  const distinctRegisters = (min: number, max: number) =>
    fc
      .uniqueArray(fc.record({ register: fc.nat(16383), rank: fc.integer({ min: 1, max: 63 }) }), { minLength: min, maxLength: max, selector: (e) => e.register })
      .map((list) => list.map(({ register, rank }) => register * 64 + rank));

  it('holds a list of 256 entries or more as its stored form, with what was set since merged in at a write: the bytes of the same list held as an array', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 200, maxLength: 2600 }), (entries) => {
        let sketch = newDistinct();
        const model = new Uint8Array(16384);
        for (const e of entries) {
          sketch = distinctAddEntry(sketch, e);
          model[e >>> 6] = Math.max(model[e >>> 6]!, e & 63);
        }
        const set = model.reduce((n, rank) => n + (rank > 0 ? 1 : 0), 0);
        // Coded from 256 set registers on, dense past 2,048 (or, just past, still coded until what it set aside is merged).
        if (set < 256) expect(Array.isArray(sketch)).toBe(true);
        else if (set <= 2048) expect(sketch).toBeInstanceOf(CodedSparse);
        else expect(sketch instanceof Uint8Array || sketch instanceof CodedSparse).toBe(true);
        // Its count and bytes are the dense model's, and written twice the same.
        expect(distinctCount(sketch)).toBe(distinctCount(model));
        expect(bytesOf(sketch)).toEqual(bytesOf(model));
        expect(bytesOf(sketch)).toEqual(bytesOf(model));
        expect(registersOf(distinctEntries(sketch))).toEqual(model);
      }),
      { numRuns: 100 },
    );
  });

  it('merges coded sketches both ways, leaving the source as it was (what it set aside included), and a clone apart from its original', () => {
    fc.assert(
      fc.property(distinctRegisters(256, 1200), fc.array(entryArb, { minLength: 0, maxLength: 1500 }), fc.array(entryArb, { maxLength: 60 }), (a, b, later) => {
        const build = (entries: number[]) => entries.reduce<DistinctSketch>((s, e) => distinctAddEntry(s, e), newDistinct());
        const sa = build(a);
        const sb = build(b);
        expect(sa).toBeInstanceOf(CodedSparse);
        const aBytes = bytesOf(sa);
        // Entries set aside in the source, not merged into its codes yet.
        const source = later.reduce<DistinctSketch>((s, e) => distinctAddEntry(s, e), cloneDistinct(sa));
        const sourceEntries = distinctEntries(source);
        const aside = source instanceof CodedSparse ? source.added.slice() : [];
        const merged = distinctMergeInto(cloneDistinct(sb), source);
        expect(distinctEntries(source)).toEqual(sourceEntries);
        if (source instanceof CodedSparse) expect(source.added).toEqual(aside);
        // The clone took the later entries, not the original.
        expect(bytesOf(sa)).toEqual(aBytes);
        const all = [...a, ...b, ...later];
        expect(registersOf(distinctEntries(merged))).toEqual(registersOf(all));
        expect(registersOf(distinctEntries(distinctMergeInto(cloneDistinct(source), sb)))).toEqual(registersOf(all));
        // Read back from its bytes, the same sketch.
        expect(bytesOf(readDistinct(new ByteReader(bytesOf(merged))) ?? newDistinct())).toEqual(bytesOf(merged));
      }),
      { numRuns: 100 },
    );
  });

  it('written after every entry near the sparse limit (each write merges what was set aside in place), stays true and goes dense', () => {
    let sketch = newDistinct();
    const model = new Uint8Array(16384);
    let register = 0;
    for (let i = 0; i < 2800; i++) {
      // New registers, and now and then one already set (at its rank: nothing new).
      const entry = i % 5 === 4 ? (register - 1) * 64 + 1 : register++ * 64 + 1;
      sketch = distinctAddEntry(sketch, entry);
      model[entry >>> 6] = Math.max(model[entry >>> 6]!, 1);
      if (i < 1800) continue;
      // The model written afresh each time (a copy: a dense sketch changed without noting it keeps stale codes).
      expect(bytesOf(sketch)).toEqual(bytesOf(model.slice()));
      expect(distinctCount(sketch)).toBe(distinctCount(model));
      if (sketch instanceof CodedSparse) expect(sketch.count).toBeLessThanOrEqual(2048 + 64);
    }
    expect(sketch).toBeInstanceOf(Uint8Array);
  });

  it('holds a sketch read back Rice-coded as its bytes, past the sparse limit too: counts, merges both ways and takes entries as its registers', () => {
    fc.assert(
      fc.property(distinctRegisters(256, 8192), fc.array(entryArb, { maxLength: 300 }), distinctRegisters(0, 3000), (entries, later, other) => {
        const model = registersOf(entries);
        const bytes = bytesOf(model.slice());
        const read = readDistinct(new ByteReader(bytes))!;
        expect(read).toBeInstanceOf(CodedSparse);
        expect((read as CodedSparse).count).toBe(entries.length);
        expect(bytesOf(read)).toEqual(bytes);
        expect(distinctCount(read)).toBe(distinctCount(model));
        // Merged into another sketch and another merged into it: the register-wise max.
        const otherSketch = other.reduce<DistinctSketch>((s, e) => distinctAddEntry(s, e), newDistinct());
        const union = registersOf([...entries, ...other]);
        expect(bytesOf(distinctMergeInto(cloneDistinct(otherSketch), read))).toEqual(bytesOf(union.slice()));
        expect(bytesOf(distinctMergeInto(cloneDistinct(read), otherSketch))).toEqual(bytesOf(union.slice()));
        expect(bytesOf(read)).toEqual(bytes);
        // Entries added: the same bytes and count as the registers raised.
        const raised = later.reduce<DistinctSketch>((s, e) => distinctAddEntry(s, e), cloneDistinct(read));
        const raisedModel = registersOf([...entries, ...later]);
        expect(bytesOf(raised)).toEqual(bytesOf(raisedModel.slice()));
        expect(distinctCount(raised)).toBe(distinctCount(raisedModel));
      }),
      { numRuns: 60 },
    );
  });

  it('takes a tenth of the heap of the same entries as an array', () => {
    let sketch = newDistinct();
    for (let i = 0; i < 1000; i++) sketch = distinctAdd(sketch, `value-${i}`);
    expect(sketch).toBeInstanceOf(CodedSparse);
    const coded = sketch as CodedSparse;
    // ~9-10 bits an entry, against 8 bytes an entry as an array of numbers.
    expect(coded.stored.length).toBeLessThan(coded.count * 1.3);
    expect(coded.count).toBeGreaterThan(900);
  });
});
