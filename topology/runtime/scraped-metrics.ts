// Prometheus metrics whose values are read at scrape time (prom-client
// collect callbacks) from counters and state kept elsewhere, so the code
// that keeps them never calls prom-client.
import { Counter, Gauge, type Registry } from 'prom-client';

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
