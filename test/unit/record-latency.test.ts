// The record latency histograms' buckets: Prometheus's `le` (a value on a
// bound counts in that bucket), the +Inf bucket, skew and missing timestamps.
import { describe, expect, it } from 'vitest';
import { LatencyBuckets, RECORD_LATENCY_BOUNDS, recordStamp } from '../../topology/runtime/record-latency';

describe('LatencyBuckets', () => {
  it('counts a value in the first bucket whose bound is at or above it, and past the last bound in +Inf', () => {
    const h = new LatencyBuckets();
    h.observe(0.005); // on the first bound
    h.observe(0.0051);
    h.observe(0.3);
    h.observe(1_000);
    const at = (bound: number) => h.counts[RECORD_LATENCY_BOUNDS.indexOf(bound)];
    expect(at(0.005)).toBe(1);
    expect(at(0.01)).toBe(1);
    expect(at(0.3)).toBe(1);
    expect(at(0.25)).toBe(0);
    expect(h.counts[RECORD_LATENCY_BOUNDS.length]).toBe(1);
    expect(h.count).toBe(4);
    expect(h.sum).toBeCloseTo(1_000.3101, 6);
  });

  it('counts a timestamp ahead of the clock as 0 old, and skips records without one', () => {
    const h = new LatencyBuckets();
    const nowMs = 1_700_000_000_000;
    h.observeStamps([nowMs + 50, -1, Number.NaN, nowMs - 120, nowMs - 2_000], nowMs);
    expect(h.count).toBe(3);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[RECORD_LATENCY_BOUNDS.indexOf(0.15)]).toBe(1);
    expect(h.counts[RECORD_LATENCY_BOUNDS.indexOf(2)]).toBe(1);
    expect(h.sum).toBeCloseTo(2.12, 9);
  });

  it("reads records' Kafka timestamps, skipping those without one", () => {
    const h = new LatencyBuckets();
    h.observeRecords([{ timestamp: '1000' }, { timestamp: '-1' }, { timestamp: '1900' }], 2_000);
    expect(h.count).toBe(2);
    expect(h.sum).toBeCloseTo(1.1, 9);
  });

  it('observes only the given range of stamps', () => {
    const h = new LatencyBuckets();
    h.observeStamps([0, 0, 0, 0], 100, 1, 3);
    expect(h.count).toBe(2);
  });
});

describe('recordStamp', () => {
  it("reads epoch ms, and Kafka's -1 or anything not a time as none", () => {
    expect(recordStamp('1700000000123')).toBe(1_700_000_000_123);
    expect(recordStamp('-1')).toBe(-1);
    expect(recordStamp('')).toBe(-1);
    expect(recordStamp('0')).toBe(0);
    expect(recordStamp('abc')).toBe(-1);
  });
});
