// Checkpoint durations summed up between two reads: count, mean and max, for
// the stats a worker publishes in its `workers/<id>` znode (the dashboard's
// checkpoint latency). Constant memory, whatever the checkpoint rate.
export interface DurationStats {
  count: number;
  meanMs: number;
  maxMs: number;
}

export class DurationSummary {
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  note(ms: number): void {
    this.count += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Whether anything was noted since the last take. */
  get pending(): boolean {
    return this.count > 0;
  }

  /** What was noted since the last take (null when nothing was), and starts over. */
  take(): DurationStats | null {
    if (this.count === 0) return null;
    const stats = { count: this.count, meanMs: round(this.sumMs / this.count), maxMs: round(this.maxMs) };
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
    return stats;
  }
}

/** Milliseconds to a tenth: a znode has no use for more. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
