import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import fc from 'fast-check';
import { percentileHandler, PERCENTILES } from '../../bolts/handlers/percentile';
import type { TabEvent } from '../../bolts/event';
import {
  MAX_BINS,
  newSketch,
  readSketch,
  RELATIVE_ACCURACY,
  sketchAdd,
  sketchMergeInto,
  sketchQuantile,
  writeSketch,
  type QuantileSketch,
} from '../../state/sketches/quantile-sketch';
import { ByteWriter } from '../../state/codec/byte-writer';
import { ByteReader } from '../../state/codec/byte-reader';

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
      expect(sketch.count).toBe(n);
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
        const whole = newSketch();
        const left = newSketch();
        const right = newSketch();
        values.forEach((v, i) => {
          sketchAdd(whole, v);
          sketchAdd(i < cut % values.length ? left : right, v);
        });
        sketchMergeInto(left, right);
        const sorted = Float64Array.from(values).sort();
        expectWithinBound(sketchQuantile(whole, q), exactQuantile(sorted, q));
        expect(sketchQuantile(left, q)).toBe(sketchQuantile(whole, q));
      }),
      { numRuns: 500 },
    );
  });

  it('stays within MAX_BINS by collapsing the smallest magnitudes, and merges the same whatever the order', () => {
    const a = newSketch();
    const b = newSketch();
    for (let e = -300; e <= 300; e += 0.5) sketchAdd(e < 0 ? a : b, 10 ** e);
    const ab = structuredClone(a);
    sketchMergeInto(ab, b);
    const ba = structuredClone(b);
    sketchMergeInto(ba, a);
    const sequential = newSketch();
    for (let e = -300; e <= 300; e += 0.5) sketchAdd(sequential, 10 ** e);
    expect(ab.positive.counts.length).toBeLessThanOrEqual(MAX_BINS);
    expect(bytesOf(ab)).toEqual(bytesOf(ba));
    expect(bytesOf(ab)).toEqual(bytesOf(sequential));
    // The top 10^17 of magnitudes (the values from 1e283 up) is still within the bound.
    const sorted = Float64Array.from({ length: 1201 }, (_, i) => 10 ** (-300 + i / 2)).sort();
    for (const q of [0.99, 0.999, 1]) expectWithinBound(sketchQuantile(ab, q), exactQuantile(sorted, q));
  });

  it('answers NaN when empty and clamps to the exact min and max', () => {
    expect(sketchQuantile(newSketch(), 0.5)).toBeNaN();
    const s = newSketch();
    sketchAdd(s, 3.3);
    expect(sketchQuantile(s, 0)).toBe(3.3);
    expect(sketchQuantile(s, 1)).toBe(3.3);
    expect(sketchQuantile(s, 2)).toBeNaN();
  });

  it('round-trips through bytes and refuses corrupt bins', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (values) => {
        const s = newSketch();
        for (const v of values) sketchAdd(s, v);
        const bytes = bytesOf(s);
        const back = readSketch(new ByteReader(bytes)) ?? newSketch();
        expect(bytesOf(back)).toEqual(bytes);
        for (const q of QUANTILES) expect(sketchQuantile(back, q)).toEqual(sketchQuantile(s, q));
      }),
    );
    const s = newSketch();
    sketchAdd(s, 1);
    sketchAdd(s, 2);
    const bytes = bytesOf(s);
    bytes[1] = 1; // zeros no longer add up
    expect(() => readSketch(new ByteReader(bytes))).toThrow(/do not add up/);
  });
});

function bytesOf(sketch: QuantileSketch): Uint8Array {
  const writer = new ByteWriter();
  writeSketch(writer, sketch);
  return writer.finish();
}
