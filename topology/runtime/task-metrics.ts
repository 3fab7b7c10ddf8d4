/** Named counters and gauges of one task; read by status and /metrics. */
export class TaskMetrics {
  readonly counters = new Map<string, number>();
  /** Values that go up and down (the dedup window's size, the states held). */
  readonly gauges = new Map<string, number>();

  count(metric: string, by = 1): void {
    this.counters.set(metric, (this.counters.get(metric) ?? 0) + by);
  }

  set(metric: string, value: number): void {
    this.gauges.set(metric, value);
  }

  get(metric: string): number {
    return this.counters.get(metric) ?? this.gauges.get(metric) ?? 0;
  }
}
