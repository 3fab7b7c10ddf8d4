import { describe, expect, it } from 'vitest';
import { headlineLatency } from '../../bench/latency-headline';

const row = (flush_interval_ms: number, e2e_events_per_s: number, p99_latency_ms: number, exact = true) => ({ flush_interval_ms, e2e_events_per_s, p99_latency_ms, exact });

describe('the headline p99 latency (issue 16)', () => {
  it('is the shortest interval that holds 1 M events/s', () => {
    const rows = [row(1000, 1_300_000, 1400), row(100, 900_000, 180), row(250, 1_100_000, 320)];
    expect(headlineLatency(rows)).toEqual({ p99_latency_ms: 320, flush_interval_ms: 250, holds_rate: true });
  });

  it('skips an interval whose aggregates were wrong, however fast', () => {
    const rows = [row(100, 1_500_000, 150, false), row(250, 1_050_000, 300), row(1000, 1_200_000, 1300)];
    expect(headlineLatency(rows)).toMatchObject({ flush_interval_ms: 250, holds_rate: true });
  });

  it('falls back to the fastest interval, and says none held the rate', () => {
    const rows = [row(100, 500_000, 150), row(250, 800_000, 290), row(1000, 950_000, 1200)];
    expect(headlineLatency(rows)).toEqual({ p99_latency_ms: 1200, flush_interval_ms: 1000, holds_rate: false });
  });
});
