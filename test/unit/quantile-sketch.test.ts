import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import fc from 'fast-check';
import { percentileHandler, PERCENTILES } from '../../tabs/handlers/percentile';
import type { TabEvent } from '../../tabs/event';
import {
  MAX_BINS,
  newSketch,
  readSketch,
  RELATIVE_ACCURACY,
  sketchAdd,
  sketchCount,
  sketchMergeInto,
  sketchQuantile,
  sketchQuantiles,
  writeSketch,
  type QuantileSketch,
} from '../../tabs/sketches/quantile-sketch';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { binsOf, bytesOf, keyOf, ModelBins } from './quantile-bins-model';

const NOW = 1_700_000_000_000;

/** The quantile the sketch promises to approximate: sorted[floor(q·(n-1))]. */
function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function expectWithinBound(estimate: number, exact: number): void {
  // The stated bound, plus a hair for floating-point rounding in the mapping.
  expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * Math.abs(exact) * (1 + 1e-9) + 1e-300);
}

const QUANTILES = [0, ...PERCENTILES.map(([, q]) => q), 1];

describe('quantile sketch (DDSketch, 1 %)', () => {
  it('keeps every percentile within 1 % of the exact one on 1e6 random values through the percentile handler', () => {
    const rng = new SeededRandom(7);
    const random = () => rng.next();
    const n = 1_000_000;
    const values = new Float64Array(n);
    const state = percentileHandler.newState();
    const event: TabEvent = { tab: 'latency', type: 'percentile', value: 0, time: 0, client: 'c' };
    for (let i = 0; i < n; i++) {
      // Log-normal latencies spanning six orders of magnitude, a few zeros and negatives.
      const u = random();
      const v = u < 0.01 ? 0 : u < 0.05 ? -Math.exp(random() * 5) : Math.exp((random() + random() + random() - 1.5) * 9);
      values[i] = v;
      event.value = v;
      event.time = NOW - Math.floor(random() * 50_000);
      percentileHandler.fold(state, event);
    }
    const sorted = values.slice().sort();
    const projection = percentileHandler.project(state, NOW);
    for (const window of ['1m', 'all']) {
      const sketch = projection[window];
      expect(sketchCount(sketch)).toBe(n);
      for (const q of QUANTILES) expectWithinBound(sketchQuantile(sketch, q), exactQuantile(sorted, q));
    }
    const rendered = percentileHandler.render(projection) as { percentiles: Record<string, Record<string, number>> };
    expectWithinBound(rendered.percentiles['1m']['p99.9'], exactQuantile(sorted, 0.999));
  });

  it('is within the bound for any values, quantiles and split into merged parts', () => {
    // Magnitudes within the 10^17 the bins cover without collapsing (see MAX_BINS), zeros and negatives.
    const magnitude = fc.double({ min: 1e-6, max: 1e11, noNaN: true });
    const value = fc.oneof(magnitude, magnitude.map((v) => -v), fc.integer({ min: -5, max: 5 }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (values, q, cut) => {
        let whole = newSketch();
        let left = newSketch();
        let right = newSketch();
        values.forEach((v, i) => {
          whole = sketchAdd(whole, v);
          if (i < cut % values.length) left = sketchAdd(left, v);
          else right = sketchAdd(right, v);
        });
        left = sketchMergeInto(left, right);
        const sorted = Float64Array.from(values).sort();
        expectWithinBound(sketchQuantile(whole, q), exactQuantile(sorted, q));
        expect(sketchQuantile(left, q)).toBe(sketchQuantile(whole, q));
      }),
      { numRuns: 500 },
    );
  });

  it('stays within MAX_BINS by collapsing the smallest magnitudes, and merges the same whatever the order', () => {
    let a = newSketch();
    let b = newSketch();
    for (let e = -300; e <= 300; e += 0.5) {
      if (e < 0) a = sketchAdd(a, 10 ** e);
      else b = sketchAdd(b, 10 ** e);
    }
    const ab = sketchMergeInto(structuredClone(a), b);
    const ba = sketchMergeInto(structuredClone(b), a);
    let sequential = newSketch();
    for (let e = -300; e <= 300; e += 0.5) sequential = sketchAdd(sequential, 10 ** e);
    // Reading refuses bins that span more than MAX_BINS keys.
    expect(readSketch(new ByteReader(bytesOf(ab)))).toEqual(ab);
    expect(bytesOf(ab)).toEqual(bytesOf(ba));
    expect(bytesOf(ab)).toEqual(bytesOf(sequential));
    // The top 10^17 of magnitudes (the values from 1e283 up) is still within the bound.
    const sorted = Float64Array.from({ length: 1201 }, (_, i) => 10 ** (-300 + i / 2)).sort();
    for (const q of [0.99, 0.999, 1]) expectWithinBound(sketchQuantile(ab, q), exactQuantile(sorted, q));
  });

  it('keeps the bins the dense store kept, one value at a time or merged in any order, across collapses, signs and zeros', () => {
    // Doubles of any magnitude collapse often; a few repeated values hit bins already there.
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, 2.5, -3, 1e-300, -1e300, 5e-324));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (values, cuts) => {
        const model = { positive: new ModelBins(), negative: new ModelBins() };
        let whole = newSketch();
        const parts = cuts.map(() => newSketch());
        values.forEach((v, i) => {
          if (v > 0 && keyOf(v) !== undefined) model.positive.add(keyOf(v)!, 1);
          else if (v < 0 && keyOf(-v) !== undefined) model.negative.add(keyOf(-v)!, 1);
          whole = sketchAdd(whole, v);
          const part = cuts[i % cuts.length] % parts.length;
          parts[part] = sketchAdd(parts[part], v);
        });
        const bins = { positive: model.positive.pairs(), negative: model.negative.pairs() };
        expect(binsOf(whole)).toEqual(bins);
        // (Only the bins and counts: which of 0 and -0 is the min depends on the order, as it always did.)
        for (const merged of [parts.reduce(sketchMergeInto, newSketch()), parts.reduceRight(sketchMergeInto, newSketch())]) {
          expect(binsOf(merged)).toEqual(bins);
          expect(sketchCount(merged)).toBe(values.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('answers NaN when empty and clamps to the exact min and max', () => {
    expect(sketchQuantile(newSketch(), 0.5)).toBeNaN();
    const s = sketchAdd(newSketch(), 3.3);
    expect(sketchQuantile(s, 0)).toBe(3.3);
    expect(sketchQuantile(s, 1)).toBe(3.3);
    expect(sketchQuantile(s, 2)).toBeNaN();
  });

  it('round-trips through bytes and refuses corrupt bins', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (values) => {
        let s = newSketch();
        for (const v of values) s = sketchAdd(s, v);
        const bytes = bytesOf(s);
        const back = readSketch(new ByteReader(bytes)) ?? newSketch();
        expect(bytesOf(back)).toEqual(bytes);
        for (const q of QUANTILES) expect(sketchQuantile(back, q)).toEqual(sketchQuantile(s, q));
      }),
    );
    const bytes = bytesOf(sketchAdd(sketchAdd(newSketch(), 1), 2));
    bytes[1] = 1; // zeros no longer add up
    expect(() => readSketch(new ByteReader(bytes))).toThrow(/do not add up/);
    // count 1, no zeros, sum/min/max, one positive bin (key 0) with a count of 0, no negative bins
    const empty = new ByteWriter().varuint(1).varuint(0).f64(1).f64(1).f64(1).varuint(1).varint(0).varuint(0).varuint(0).finish();
    expect(() => readSketch(new ByteReader(empty))).toThrow(/no count/);
  });

  it('merges bins the target lacks into the target itself unless a collapse is due, the same bins either way', () => {
    // 1e-6..1e6: about 1,400 keys (of 2 %), inside MAX_BINS.
    const magnitude = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
    const values = fc.array(fc.oneof(magnitude, magnitude.map((v) => -v), fc.constant(0)), { minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(values, values, (a, b) => {
        let target = newSketch();
        let source = newSketch();
        let whole = newSketch();
        for (const v of a) (target = sketchAdd(target, v)), (whole = sketchAdd(whole, v));
        for (const v of b) (source = sketchAdd(source, v)), (whole = sketchAdd(whole, v));
        const before = target;
        const sourceBytes = bytesOf(source);
        const merged = sketchMergeInto(target, source);
        // No collapse, so no new array.
        expect(merged).toBe(before);
        expect(binsOf(merged)).toEqual(binsOf(whole));
        expect(sketchCount(merged)).toBe(a.length + b.length);
        expect(bytesOf(source)).toEqual(sourceBytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sketchQuantiles', () => {
  // Values with negatives, zeros, repeats and wide magnitudes; quantiles ascending, with ends and repeats.
  const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 1, -1, 2.5, 1e-9, -1e12), fc.integer({ min: -50, max: 50 }));
  const quantiles = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.999, 1)), { maxLength: 12 }).map((qs) => qs.sort((a, b) => a - b));

  it('gives for many quantiles in one walk what it gives for each alone (sketchQuantile)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), quantiles, (values, qs) => {
        let sketch = newSketch();
        for (const v of values) sketch = sketchAdd(sketch, v);
        const out: number[] = [];
        expect(sketchQuantiles(sketch, qs, out)).toEqual(qs.map((q) => sketchQuantile(sketch, q)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses quantiles that do not ascend', () => {
    let sketch = newSketch();
    for (const v of [1, 2, 3]) sketch = sketchAdd(sketch, v);
    expect(() => sketchQuantiles(sketch, [0.9, 0.5], [])).toThrow(/must ascend/);
  });
});
