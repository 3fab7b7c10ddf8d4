// The bench's reading of the workers' record latency histograms: buckets
// summed over workers and partitions, two scrapes subtracted, percentiles as
// Prometheus's histogram_quantile gives them.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { addStageBuckets, bucketQuantileMs, stageFigures } from '../../bench/stage-latency';
import { RECORD_LATENCY_BOUNDS, RECORD_STAGES, RecordLatency } from '../../topology/runtime/record-latency';
import { scrapedHistogram, type HistogramSample } from '../../topology/runtime/scraped-metrics';

/** A worker's /metrics text with the given tasks' latencies, rendered as the worker renders them. */
async function metricsText(tasks: Array<[partition: string, RecordLatency]>): Promise<string> {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: 'w' });
  scrapedHistogram(registry, {
    name: 'tabstream_record_e2e_latency_seconds',
    help: 'h',
    labelNames: ['topology', 'partition', 'stage'],
    bounds: RECORD_LATENCY_BOUNDS,
    read: () => tasks.flatMap(([partition, l]) => RECORD_STAGES.map((stage): HistogramSample => [{ topology: 't', partition, stage }, l.stage(stage)])),
  });
  return registry.metrics();
}

describe('stage latency from scraped histograms', () => {
  it('sums partitions and workers, subtracts the earlier scrape, and reads percentiles within buckets', async () => {
    const a = new RecordLatency();
    const b = new RecordLatency();
    // Before the window: 1,000 slow records that must not count.
    for (let i = 0; i < 1_000; i++) a.queryable.observe(5);
    const before = addStageBuckets(await metricsText([['0', a]]), addStageBuckets(await metricsText([['1', b]])));
    // In the window: 98 records at 40 ms (in (25, 50] ms), 2 at 2.5 s (in (2, 3] s), over two partitions and two workers.
    for (let i = 0; i < 49; i++) {
      a.queryable.observe(0.04);
      b.queryable.observe(0.04);
    }
    a.queryable.observe(2.5);
    b.queryable.observe(2.5);
    a.received.observe(0.001);
    const after = addStageBuckets(await metricsText([['0', a]]), addStageBuckets(await metricsText([['1', b]])));
    const f = stageFigures(before, after);
    expect(f.queryable.records).toBe(100);
    // Rank 50 of 98 in (25, 50] ms: 25 + 25 × 50/98.
    expect(f.queryable.p50_ms).toBe(Math.round(25 + (25 * 50) / 98));
    // Rank 99 is the first of the two in (2, 3] s: 2 s + 1 s × 1/2.
    expect(f.queryable.p99_ms).toBe(2_500);
    expect(f.received).toEqual({ p50_ms: 3, p99_ms: 5, records: 1 });
    expect(f.folded.records).toBe(0);
    expect(f.folded.p99_ms).toBeNaN();
  });

  it('gives the last bound for a quantile that falls in +Inf', () => {
    const cumulative = new Array<number>(RECORD_LATENCY_BOUNDS.length + 1).fill(0);
    cumulative[cumulative.length - 1] = 10;
    expect(bucketQuantileMs(cumulative, 0.5)).toBe(RECORD_LATENCY_BOUNDS[RECORD_LATENCY_BOUNDS.length - 1]! * 1000);
  });
});
