// The example pluggable type: values land in the bucket of the first bound
// they do not exceed, per window, with min and max; its cells are checked
// against the bounds they were stored with.
import { describe, expect, it } from 'vitest';
import { createHistogramType, histogramCell, slotOf } from '../../examples/histogram-type';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import type { TabEvent } from '../../tabs/event';

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;
const event = (value: number, time: number): TabEvent => ({ tab: 'latency', type: 'histogram', value, time, client: 'c' });

describe('histogram type (examples/histogram-type.ts)', () => {
  const handler = createHistogramType({ bounds: [10, 100] });

  it('puts a value in the first bucket whose bound it does not exceed', () => {
    expect([-5, 10, 10.5, 100, 101, Infinity].map((v) => slotOf([10, 100], v))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('renders every window with counts per bucket, min and max', () => {
    const state = handler.newState();
    for (const [value, time] of [[3, NOW], [10, NOW - 30_000], [55, NOW - 5 * MINUTE], [700, NOW - 2 * 3_600_000]] as const) handler.fold(state, event(value, time));
    const rendered = handler.render(handler.project(state, NOW));
    const buckets = (a: number, b: number, c: number) => [{ le: 10, count: a }, { le: 100, count: b }, { le: '+Inf', count: c }];
    expect(rendered['1m']).toEqual({ count: 2, min: 3, max: 10, buckets: buckets(2, 0, 0) });
    expect(rendered['10m']).toEqual({ count: 3, min: 3, max: 55, buckets: buckets(2, 1, 0) });
    expect(rendered['1h']).toEqual(rendered['10m']);
    expect(rendered['1d']).toEqual({ count: 4, min: 3, max: 700, buckets: buckets(2, 1, 1) });
    expect(rendered.all).toEqual(rendered['1d']);
    expect(handler.render(handler.project(handler.newState(), NOW)).all).toEqual({ count: 0, min: null, max: null, buckets: buckets(0, 0, 0) });
  });

  it('refuses a stored cell made with another number of bounds, and bounds that do not increase', () => {
    const writer = new ByteWriter();
    histogramCell([1, 2, 3]).write(writer, { counts: [1, 0, 0, 0], min: 1, max: 1 });
    expect(() => histogramCell([1, 2]).read(new ByteReader(writer.finish(), 'histogram state'))).toThrow(/histogram cell of 4 slots, this type has 3/);
    expect(() => createHistogramType({ bounds: [5, 5] })).toThrow(/bounds must be finite and increasing, got \[5, 5\]/);
    expect(() => createHistogramType({ bounds: [] })).toThrow(RangeError);
  });
});
