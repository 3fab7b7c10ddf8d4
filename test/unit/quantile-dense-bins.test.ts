import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DDSketch } from '@datadog/sketches-js';
import {
  DENSE_MIN_BINS,
  DenseQuantile,
  newSketch,
  readSketch,
  RELATIVE_ACCURACY,
  sketchAdd,
  sketchClone,
  sketchCount,
  sketchMergeInto,
  sketchQuantiles,
  type QuantileSketch,
} from '../../tabs/sketches/quantile-sketch';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { binsOf, bytesOf, keyOf, ModelBins } from './quantile-bins-model';

/** Latencies as a Tab records them: close together (a 40x range, ~180 keys), a few far away. */
const near = fc.integer({ min: 200, max: 8_000 }).map((v) => v / 1000);
const close = fc.oneof({ weight: 6, arbitrary: near }, { weight: 1, arbitrary: near.map((v) => -v) }, { weight: 1, arbitrary: fc.constant(0) });
/** Values mostly close together, now and then one far away (in about half the runs). */
const values = fc
  .tuple(fc.array(close, { maxLength: 400, size: 'max' }), fc.array(fc.tuple(fc.constantFrom(1e-300, 1e300, -1e-9, 5e-324, 3e10, -7e20), fc.nat()), { maxLength: 2 }))
  .map(([list, far]) => {
    const out = list.slice();
    for (const [v, at] of far) out.splice(at % (out.length + 1), 0, v);
    return out;
  });

function modelOf(values: number[]): { positive: Array<[number, number]>; negative: Array<[number, number]> } {
  const positive = new ModelBins();
  const negative = new ModelBins();
  for (const v of values) {
    if (v > 0 && keyOf(v) !== undefined) positive.add(keyOf(v)!, 1);
    else if (v < 0 && keyOf(-v) !== undefined) negative.add(keyOf(-v)!, 1);
  }
  return { positive: positive.pairs(), negative: negative.pairs() };
}

const mapping = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;
/** A value of bin `key`. */
const valueAt = (key: number): number => mapping.value(key);

/** The sketch read back from its bytes: dense when its bins suit it (a sketch goes dense when read or merged, not as values are added). */
const reread = (sketch: QuantileSketch): QuantileSketch => readSketch(new ByteReader(bytesOf(sketch))) ?? newSketch();

const QS = [0, 0.25, 0.5, 0.9, 0.99, 1];
const quantilesOf = (sketch: QuantileSketch) => sketchQuantiles(sketch, QS, []);

describe('quantile sketch held dense (DenseQuantile)', () => {
  it('keeps the bins the model keeps, added one by one or merged in any order and form, dense or not', () => {
    let dense = 0;
    let mixed = 0;
    fc.assert(
      fc.property(values, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (values, cuts) => {
        let whole = newSketch();
        const parts = cuts.map(() => newSketch());
        // Half the values added, the sketches read back (dense where they suit it: every other part), the rest added.
        const half = values.length >> 1;
        values.forEach((v, i) => {
          if (i === half) {
            whole = reread(whole);
            parts.forEach((part, p) => (parts[p] = p % 2 === 0 ? reread(part) : part));
          }
          whole = sketchAdd(whole, v);
          const part = cuts[i % cuts.length]! % parts.length;
          parts[part] = sketchAdd(parts[part]!, v);
        });
        // Every other part read back again: dense where it suits, beside parts that stay pairs.
        parts.forEach((part, p) => (parts[p] = p % 2 === 0 ? reread(part) : part));
        const bins = modelOf(values);
        if (whole instanceof DenseQuantile) dense++;
        // A dense part merged into the fold's first target (pairs: an empty sketch) and with the other parts.
        if (parts.some((p) => p instanceof DenseQuantile) && parts.filter((p) => sketchCount(p) > 0).length > 1) mixed++;
        expect(binsOf(whole)).toEqual(bins);
        const sourcesBefore = parts.map(bytesOf);
        const merges = [parts.reduce((a, b) => sketchMergeInto(a, b), newSketch()), parts.reduceRight((a, b) => sketchMergeInto(a, b), newSketch())];
        // Into the first part itself (a dense target takes pairs and dense sources alike).
        merges.push(parts.slice(1).reduce((a, b) => sketchMergeInto(a, b), sketchClone(parts[0]!)));
        for (const merged of merges) {
          expect(binsOf(merged)).toEqual(bins);
          expect(sketchCount(merged)).toBe(values.length);
        }
        // The sources are as they were (a clone or a merge never shares their bins).
        expect(parts.map(bytesOf)).toEqual(sourcesBefore);
        // The same bytes back, the same form for the same bins, the same quantiles.
        const back = readSketch(new ByteReader(bytesOf(whole))) ?? newSketch();
        expect(bytesOf(back)).toEqual(bytesOf(whole));
        expect(quantilesOf(back)).toEqual(quantilesOf(whole));
      }),
      { numRuns: 400 },
    );
    // The property met both forms, and merges of one into the other.
    expect(dense).toBeGreaterThan(20);
    expect(mixed).toBeGreaterThan(10);
  });

  it('goes dense past DENSE_MIN_BINS close bins, and back to pairs when a value lands far away (collapses included)', () => {
    let sketch = newSketch();
    const values: number[] = [];
    for (let i = 0; binsOf(sketch).positive.length < DENSE_MIN_BINS; i++) {
      const v = 1 + i * 0.05;
      values.push(v);
      sketch = sketchAdd(sketch, v);
      // Added one by one, it stays pairs; read back, it is dense from DENSE_MIN_BINS bins on.
      expect(sketch).toBeInstanceOf(Array);
      expect(reread(sketch) instanceof DenseQuantile).toBe(binsOf(sketch).positive.length >= DENSE_MIN_BINS);
    }
    // Merged into a smaller sketch, it makes it dense too; into an empty one, a copy as it is.
    expect(sketchMergeInto(sketchAdd(newSketch(), 1), sketch)).toBeInstanceOf(DenseQuantile);
    expect(sketchMergeInto(newSketch(), sketch)).toBeInstanceOf(Array);
    sketch = reread(sketch);
    expect(sketch).toBeInstanceOf(DenseQuantile);
    // A value 10^300 away: the run would span more than MAX_BINS keys, so the lowest collapse, as pairs.
    values.push(1e300);
    sketch = sketchAdd(sketch, 1e300);
    expect(sketch).toBeInstanceOf(Array);
    expect(binsOf(sketch)).toEqual(modelOf(values));
    expect(quantilesOf(sketch)[5]! / 1e300).toBeCloseTo(1, 1);
    // A dense target met by a far source: the same, through a merge.
    let target = newSketch();
    for (let i = 0; i < 100; i++) target = sketchAdd(target, 2 + i * 0.1);
    target = reread(target);
    expect(target).toBeInstanceOf(DenseQuantile);
    const far = sketchAdd(newSketch(), 1e-200);
    const merged = sketchMergeInto(target, far);
    expect(merged).toBeInstanceOf(Array);
    expect(binsOf(merged)).toEqual(modelOf([...Array.from({ length: 100 }, (_, i) => 2 + i * 0.1), 1e-200]));
  });

  it('collapses the lowest keys as pairs do when a dense run would pass MAX_BINS keys', () => {
    // 512 bins 4 keys apart: dense, spanning 2,045 keys; then keys past the limit, above and below.
    const values = Array.from({ length: 512 }, (_, i) => valueAt(1000 + 4 * i));
    let sketch = newSketch();
    for (const v of values) sketch = sketchAdd(sketch, v);
    sketch = reread(sketch);
    expect(sketch).toBeInstanceOf(DenseQuantile);
    for (const key of [1000 + 2047, 1000 + 2050, 990]) {
      values.push(valueAt(key));
      sketch = sketchAdd(sketch, valueAt(key));
      expect(binsOf(sketch)).toEqual(modelOf(values));
    }
    // Merged, dense into dense, the same.
    let low = newSketch();
    let high = newSketch();
    for (let i = 0; i < 300; i++) low = sketchAdd(low, valueAt(1000 + 2 * i));
    for (let i = 0; i < 300; i++) high = sketchAdd(high, valueAt(2460 + 2 * i));
    [low, high] = [reread(low), reread(high)];
    expect([low, high].every((s) => s instanceof DenseQuantile)).toBe(true);
    const merged = sketchMergeInto(sketchClone(low), high);
    expect(binsOf(merged)).toEqual(modelOf([...Array.from({ length: 300 }, (_, i) => valueAt(1000 + 2 * i)), ...Array.from({ length: 300 }, (_, i) => valueAt(2460 + 2 * i))]));
  });

  it('leaves a dense source as it was when its bins go into a dense target, a sign the target lacked included', () => {
    let positives = newSketch();
    let negatives = newSketch();
    for (let i = 0; i < 150; i++) (positives = sketchAdd(positives, 1 + i * 0.03)), (negatives = sketchAdd(negatives, -1 - i * 0.03));
    [positives, negatives] = [reread(positives), reread(negatives)];
    expect([positives, negatives].every((s) => s instanceof DenseQuantile)).toBe(true);
    const sourceBytes = bytesOf(negatives);
    let target = sketchMergeInto(positives, negatives);
    expect(target).toBeInstanceOf(DenseQuantile);
    for (let i = 0; i < 60; i++) target = sketchMergeInto(target, negatives);
    expect(bytesOf(negatives)).toEqual(sourceBytes);
    expect(sketchCount(target)).toBe(150 + 61 * 150);
  });

  it('widens its counts past 16 and 32 bits, exact to the byte', () => {
    let sketch = newSketch();
    for (let i = 0; i < 150; i++) sketch = sketchAdd(sketch, 1 + i * 0.03);
    sketch = reread(sketch);
    expect(sketch).toBeInstanceOf(DenseQuantile);
    // One bin of 70,000 values, then of 5·2^32: built by doubling merges into a dense sketch.
    let heavy = newSketch();
    for (let i = 0; i < 70_000; i++) heavy = sketchAdd(heavy, 1.5);
    sketch = sketchMergeInto(sketch, heavy);
    let expected = 150 + 70_000;
    expect(sketchCount(sketch)).toBe(expected);
    const key = keyOf(1.5)!;
    const countAt = (s: QuantileSketch) => binsOf(s).positive.find(([k]) => k === key)![1];
    const atKey = countAt(sketch);
    expect(atKey).toBeGreaterThanOrEqual(70_000);
    let big = sketchClone(heavy);
    while (sketchCount(big) < 5 * 2 ** 32) big = sketchMergeInto(big, sketchClone(big));
    sketch = sketchMergeInto(sketch, big);
    expected += sketchCount(big);
    expect(sketch).toBeInstanceOf(DenseQuantile);
    expect(sketchCount(sketch)).toBe(expected);
    expect(countAt(sketch)).toBe(atKey + sketchCount(big));
    const back = readSketch(new ByteReader(bytesOf(sketch)))!;
    expect(back).toBeInstanceOf(DenseQuantile);
    expect(bytesOf(back)).toEqual(bytesOf(sketch));
  });

  it('grows its run either way without losing a count, and a clone does not share it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 30, maxLength: 600 }), (values) => {
        let sketch = newSketch();
        for (const v of values) sketch = sketchAdd(sketch, v);
        sketch = reread(sketch);
        const copy = sketchClone(sketch);
        const copyBytes = bytesOf(copy);
        // Values below and above all others, into the original only.
        for (const v of [0.001, 0.005, 500, 1000]) sketch = sketchAdd(sketch, v);
        expect(binsOf(sketch)).toEqual(modelOf([...values, 0.001, 0.005, 500, 1000]));
        expect(bytesOf(copy)).toEqual(copyBytes);
      }),
      { numRuns: 200 },
    );
  });
});
