// Prometheus metrics whose values are read at scrape time (prom-client
// collect callbacks) from counters and state kept elsewhere, so the code
// that keeps them never calls prom-client.
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** One labelled value of a metric. */
export type Sample = [labels: Record<string, string>, value: number];

export interface ScrapedMetric {
  name: string;
  help: string;
  labelNames: string[];
  read: () => Sample[] | Promise<Sample[]>;
}

/** Replaces every series of `metric` with what `read` returns now; a series it leaves out is dropped. */
async function refill(metric: { reset(): void }, read: ScrapedMetric['read'], put: (labels: Record<string, string>, value: number) => void): Promise<void> {
  const samples = await read();
  metric.reset();
  for (const [labels, value] of samples) put(labels, value);
}

/** A counter set at each scrape from `read`, which returns totals (never increments). */
export function scrapedCounter(registry: Registry, { name, help, labelNames, read }: ScrapedMetric): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      return refill(this, read, (labels, value) => this.inc(labels, value));
    },
  });
}

/** A gauge set at each scrape from `read`. */
export function scrapedGauge(registry: Registry, { name, help, labelNames, read }: ScrapedMetric): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      return refill(this, read, (labels, value) => this.set(labels, value));
    },
  });
}

/** One labelled histogram as kept elsewhere: a count per bucket (not cumulative; the last one +Inf's), their sum and count. */
export type HistogramSample = [labels: Record<string, string>, histogram: { counts: ArrayLike<number>; sum: number; count: number }];

/**
 * A histogram whose buckets are counted elsewhere (on a path where
 * prom-client's observe, hashing its labels each time, would cost too much)
 * and read at scrape time: a metric of prom-client's shape (`get()`) that
 * its registry renders like its own histograms.
 */
export function scrapedHistogram(
  registry: Registry,
  { name, help, labelNames, bounds, read }: { name: string; help: string; labelNames: string[]; bounds: readonly number[]; read: () => HistogramSample[] },
): void {
  const values = (): Array<{ labels: Record<string, string | number>; value: number; metricName: string }> =>
    read().flatMap(([labels, h]) => {
      let cumulative = 0;
      const buckets = bounds.map((le, i) => {
        cumulative += h.counts[i] ?? 0;
        return { labels: { ...labels, le }, value: cumulative, metricName: `${name}_bucket` };
      });
      return [
        ...buckets,
        { labels: { ...labels, le: '+Inf' }, value: h.count, metricName: `${name}_bucket` },
        { labels, value: h.sum, metricName: `${name}_sum` },
        { labels, value: h.count, metricName: `${name}_count` },
      ];
    });
  const metric = {
    name,
    help,
    type: 'histogram',
    labelNames,
    aggregator: 'sum',
    get: () => ({ name, help, type: 'histogram', aggregator: 'sum', values: values() }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Metric);
}
