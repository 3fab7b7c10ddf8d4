import { ALL_WINDOW, bucketIndex, type WindowSpec } from './window-spec';

/**
 * Where a state's rolling windows keep their buckets: each window of n
 * buckets is a ring of n + 1 slots, the rings one after another, and the
 * newest bucket of every ring is the one holding the latest event time
 * folded so far, so only that time is stored. Shared by the window stores of
 * any cell (WindowedCells: a cell object per slot; CountTotalWindows: an
 * entry per bucket holding events, laid out by slot to be stored).
 *
 * A ring keeps one bucket more than its window: events from a client whose
 * clock runs up to a bucket ahead of the reader's then cannot push the
 * window's oldest bucket out before it is read.
 */
export class RingLayout {
  /** Where ring r's slots begin. */
  private readonly firstSlot: number[] = [];
  /** Slots of all rings. */
  readonly slotCount: number;
  /** Every ring's bucket size is a multiple of the first ring's (see runBucket). */
  private readonly nested: boolean;

  constructor(readonly specs: readonly WindowSpec[]) {
    let total = 0;
    for (const spec of specs) {
      this.firstSlot.push(total);
      total += spec.buckets + 1;
    }
    this.slotCount = total;
    this.nested = specs.length > 0 && specs.every((s) => s.bucketMs % specs[0].bucketMs === 0);
  }

  /** Where ring r's slots begin: the slots of the rings before it (also where its cells begin in a stored state). */
  firstSlotOf(r: number): number {
    return this.firstSlot[r];
  }

  /** Ring r's slots: its window's buckets and one more. */
  slotsOf(r: number): number {
    return this.specs[r].buckets + 1;
  }

  /** Ring r's newest bucket index for a state whose latest event time is maxTime (-1 before the first event). */
  newest(maxTime: number, r: number): number {
    return maxTime < 0 ? -1 : bucketIndex(maxTime, this.specs[r].bucketMs);
  }

  /** Ring r's oldest bucket index for a state whose latest event time is maxTime: older ones rolled out of it. */
  oldest(maxTime: number, r: number): number {
    return this.newest(maxTime, r) - this.slotsOf(r) + 1;
  }

  /** The slot holding bucket `index` of ring r: index mod the ring's slots (kept non-negative). */
  slot(r: number, index: number): number {
    const slots = this.slotsOf(r);
    const inRing = index % slots;
    return this.firstSlot[r] + (inRing < 0 ? inRing + slots : inRing);
  }


  /**
   * The slot ring r keeps an event at `time` in, for a state whose latest
   * event time is maxTime; -1 when the time is too old for the ring. A time
   * in a later bucket than the ring's newest moves the ring on first: each
   * bucket that rolls out is handed to `clear` (see rollOut).
   */
  place<S>(state: S, maxTime: number, r: number, time: number, clear: (state: S, slot: number) => void): number {
    const index = bucketIndex(time, this.specs[r].bucketMs);
    const newest = this.newest(maxTime, r);
    if (index > newest) this.rollOut(state, r, newest, index, clear);
    else if (index < this.oldest(maxTime, r)) return -1;
    return this.slot(r, index);
  }

  /** Moves ring r on from newest bucket `from` to a later `to`: the slots of the buckets that roll out go to `clear`. */
  rollOut<S>(state: S, r: number, from: number, to: number, clear: (state: S, slot: number) => void): void {
    for (let j = Math.max(from + 1, to - this.slotsOf(r) + 1); j <= to; j++) clear(state, this.slot(r, j));
  }

  /**
   * Times with the same run bucket share a bucket in every ring (each ring's
   * bucket size a multiple of the first's, so its buckets are unions of the
   * first ring's); NaN, equal to nothing, when the rings do not nest so.
   */
  runBucket(time: number): number {
    return this.nested ? bucketIndex(time, this.specs[0].bucketMs) : Number.NaN;
  }

  /** The buckets of ring r a projection at `now` merges, for a state at maxTime: [lo, hi] (empty when lo > hi). */
  projected(r: number, maxTime: number, now: number): { lo: number; hi: number } {
    const { bucketMs, buckets } = this.specs[r];
    const newest = this.newest(maxTime, r);
    const current = bucketIndex(now, bucketMs);
    return { lo: Math.max(newest - this.slotsOf(r), current - buckets) + 1, hi: Math.min(newest, current) };
  }

  /** Window names in render order, `all` last. */
  names(): string[] {
    return [...this.specs.map((s) => s.name), ALL_WINDOW];
  }

  /** How long after its latest event a state's windows are all empty: the widest window plus the bucket a client's clock may run ahead. */
  get emptyAfterMs(): number {
    return Math.max(...this.specs.map((s) => (s.buckets + 1) * s.bucketMs));
  }
}
