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

  /**
   * Units to run now (`now` in ms, any clock that does not go back); they are
   * spent. `perSecond`, when given (an integer), is the rate since the last
   * take, for work whose amount changes (the states a pruning passes over).
   */
  take(now: number, perSecond = this.perSecond): number {
    const earned = this.at === null ? 0 : perSecond * Math.max(0, now - this.at);
    this.credit = Math.min(perSecond * 1000, this.credit + earned);
    this.at = now;
    const units = Math.floor(this.credit / 1000);
    this.credit -= units * 1000;
    return units;
  }
}
