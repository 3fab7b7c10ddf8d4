// The latency bench's counts per millisecond give the percentiles the sorted array of every event would.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyHistogram } from '../../bench/latency-histogram';

describe('latency histogram', () => {
  it('picks the same event as the sorted array of every event, at every quantile', () => {
    const messages = fc.array(fc.record({ ms: fc.nat(5000), events: fc.integer({ min: 1, max: 60 }) }), { maxLength: 300 });
    fc.assert(
      fc.property(messages, fc.double({ min: 0, max: 1, noNaN: true }), (ms, q) => {
        const h = new LatencyHistogram();
        const all: number[] = [];
        for (const m of ms) {
          h.add(m.ms, m.events);
          for (let e = 0; e < m.events; e++) all.push(m.ms);
        }
        all.sort((a, b) => a - b);
        const expected = all.length === 0 ? Number.NaN : all[Math.min(all.length - 1, Math.floor(q * all.length))];
        expect(h.percentile(q)).toBe(expected);
        expect(h.samples).toBe(all.length);
        expect(h.max).toBe(all.length === 0 ? Number.NaN : all[all.length - 1]);
      }),
      { numRuns: 300 },
    );
  });
});
