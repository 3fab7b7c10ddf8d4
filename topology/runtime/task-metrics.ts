/** Named counters of one task; read by status and /metrics. */
export class TaskMetrics {
  readonly counters = new Map<string, number>();

  count(metric: string, by = 1): void {
    this.counters.set(metric, (this.counters.get(metric) ?? 0) + by);
  }

  get(metric: string): number {
    return this.counters.get(metric) ?? 0;
  }
}
