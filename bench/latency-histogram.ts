// Event latencies (whole milliseconds) counted per value: every event of a
// message shares its latency, so a latency run of millions of events keeps a
// few thousand counts, not an array of millions of numbers that the bench
// process would grow, copy and collect while it measures (its own stalls
// would land in the figures). Percentiles are exact: the same events the
// sorted array would pick.
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;

  add(latencyMs: number, events: number): void {
    this.counts.set(latencyMs, (this.counts.get(latencyMs) ?? 0) + events);
    this.total += events;
  }

  get samples(): number {
    return this.total;
  }

  /** The event at index ⌊q·n⌋ of all n sorted by latency (the last for q = 1); NaN when empty. */
  percentile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const k = Math.min(this.total - 1, Math.floor(q * this.total));
    let seen = 0;
    for (const ms of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(ms)!;
      if (seen > k) return ms;
    }
    return Number.NaN; // unreachable: seen reaches total > k
  }

  get max(): number {
    return this.percentile(1);
  }
}
