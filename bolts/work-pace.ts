/**
 * Paces work that checkpoints set off, by the clock rather than by their
 * number: `take(now)` gives how many units may run now, at `perSecond` a
 * second, never more than one second's worth at once. A topology flushing
 * every 100 ms then does the same such work a second as one flushing every
 * second, not ten times as much (pruning every checkpoint took 46 % of a
 * worker's CPU at 100 ms).
 */
export class WorkPace {
  /** Earned and not spent, in unit-milliseconds (integers for integer clocks: 0.1 ten times is not 1 in floating point). */
  private credit: number;
  private at: number | null = null;

  constructor(private readonly perSecond: number) {
    this.credit = perSecond * 1000;
  }

  /** Units to run now (`now` in ms, any clock that does not go back); they are spent. */
  take(now: number): number {
    if (this.at !== null) this.credit = Math.min(this.perSecond * 1000, this.credit + this.perSecond * Math.max(0, now - this.at));
    this.at = now;
    const units = Math.floor(this.credit / 1000);
    this.credit -= units * 1000;
    return units;
  }
}
