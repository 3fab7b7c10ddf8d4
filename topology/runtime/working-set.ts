/**
 * The process's budget for states held in memory, shared by every stateful
 * bolt task of every topology a worker runs (DESIGN.md, "Stateless workers").
 * Bolts add and remove the estimated bytes of the states they hold; after
 * each durable checkpoint a bolt whose process is over budget evicts states
 * that checkpoint covered, until the process is back under its low mark.
 * The bound is soft: states changed since the last durable checkpoint are
 * never evicted, so a burst of new states can overshoot it until they are
 * written.
 */
export class WorkingSet {
  private held = 0;
  private evictedTotal = 0;
  private fetchedTotal = 0;

  constructor(
    /** The budget, bytes. */
    readonly budgetBytes: number,
    /** Eviction goes on until the process holds this share of the budget. */
    private readonly lowMark = 0.9,
  ) {}

  get bytes(): number {
    return this.held;
  }

  add(bytes: number): void {
    this.held += bytes;
  }

  remove(bytes: number): void {
    this.held -= bytes;
  }

  /** How many bytes should go now: 0 under budget, else down to the low mark. */
  excess(): number {
    return this.held > this.budgetBytes ? this.held - this.budgetBytes * this.lowMark : 0;
  }

  noteEvicted(states: number): void {
    this.evictedTotal += states;
  }

  noteFetched(states: number): void {
    this.fetchedTotal += states;
  }

  /** States evicted and fetched back since the process started. */
  get evictions(): number {
    return this.evictedTotal;
  }

  get fetches(): number {
    return this.fetchedTotal;
  }
}

