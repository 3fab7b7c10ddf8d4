import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import type { CellKind } from './cell-kind';
import { ALL_WINDOW, bucketIndex, type WindowSpec } from './window-spec';

/**
 * A set of rolling windows plus an all-time cell. Each window of n buckets is
 * a ring of the last n + 1 buckets; the newest bucket of every ring is the one
 * holding the latest event time folded so far, so only that time is stored.
 * A projection at `now` is exact at bucket boundaries (window-spec.ts) as long
 * as no event folded so far lies more than one bucket after `now`.
 */
export interface WindowedState<C> {
  /** Latest event time folded, -1 before the first. */
  maxTime: number;
  /**
   * The rings one after another in one array (one object less per ring): ring
   * r's n + 1 slots (see slotsOf) from WindowedCells.firstSlot[r], bucket
   * index i in its slot i mod (n + 1).
   */
  slots: Array<C | undefined>;
  all: C;
}

/** The merged cells of one projection: one per window name, plus `all`. */
export type WindowCells<C> = Record<string, C>;

/**
 * A ring keeps one bucket more than its window: events from a client whose
 * clock runs up to a bucket ahead of the reader's then cannot push the
 * window's oldest bucket out before it is read.
 */
function slotsOf(spec: WindowSpec): number {
  return spec.buckets + 1;
}

/** Bucket index i lives in slot i mod n (kept non-negative for indices before the epoch's first bucket). */
function slotOf(index: number, buckets: number): number {
  const slot = index % buckets;
  return slot < 0 ? slot + buckets : slot;
}

export class WindowedCells<C, V> {
  /** Where ring r's slots begin in a state's `slots`. */
  private readonly firstSlot: number[];
  private readonly slotCount: number;
  /** Every ring's bucket size is a multiple of the first ring's (see runBucket). */
  private readonly nested: boolean;

  constructor(
    readonly specs: readonly WindowSpec[],
    readonly cell: CellKind<C, V>,
  ) {
    this.firstSlot = [];
    let total = 0;
    for (const spec of specs) {
      this.firstSlot.push(total);
      total += slotsOf(spec);
    }
    this.slotCount = total;
    this.nested = specs.length > 0 && specs.every((s) => s.bucketMs % specs[0].bucketMs === 0);
  }

  create(): WindowedState<C> {
    return { maxTime: -1, slots: new Array<C | undefined>(this.slotCount).fill(undefined), all: this.cell.create() };
  }

  /** Ring r's newest bucket index: the one holding maxTime (-1 before the first event). */
  private newest(state: WindowedState<C>, r: number): number {
    return state.maxTime < 0 ? -1 : bucketIndex(state.maxTime, this.specs[r].bucketMs);
  }

  /** Where bucket `index` of ring r lives in a state's slots. */
  private slot(r: number, index: number): number {
    return this.firstSlot[r] + slotOf(index, slotsOf(this.specs[r]));
  }

  /** Moves ring r on from newest bucket `from` to a later `to`, clearing the buckets that roll out. */
  private moveOn(state: WindowedState<C>, r: number, from: number, to: number): void {
    for (let j = Math.max(from + 1, to - slotsOf(this.specs[r]) + 1); j <= to; j++) state.slots[this.slot(r, j)] = undefined;
  }

  /**
   * The slot of ring r that an event at `time` goes in, moving the ring on
   * first when the time is in a later bucket than its newest (clearing the
   * buckets that roll out); -1 when the time is too old for the ring.
   */
  private slotFor(state: WindowedState<C>, r: number, time: number): number {
    const spec = this.specs[r];
    const index = bucketIndex(time, spec.bucketMs);
    const newest = this.newest(state, r);
    if (index > newest) this.moveOn(state, r, newest, index);
    else if (index <= newest - slotsOf(spec)) return -1;
    return this.slot(r, index);
  }

  /**
   * Folds a value at an event time. A time later than any before advances the
   * rings (clearing the buckets that roll out); a time too old for a ring
   * misses that ring but still counts in the wider ones and in `all`.
   */
  add(state: WindowedState<C>, time: number, value: V): void {
    this.place(state, time, value, this.cell.add);
  }

  /**
   * Folds a cell of values whose event times share a bucket in every ring
   * (see runBucket), the latest of them at `time`, as add() would fold each
   * value: every value of the cell lands in the same slot of each ring.
   * `source` is left untouched.
   */
  addCell(state: WindowedState<C>, time: number, source: C): void {
    this.place(state, time, source, this.cell.mergeInto);
  }

  /** Combines what came at `time` (a value, or a cell of values) into its slot of each ring and into `all`. */
  private place<X>(state: WindowedState<C>, time: number, what: X, combine: (cell: C, what: X) => C): void {
    const { specs, cell } = this;
    for (let r = 0; r < specs.length; r++) {
      const at = this.slotFor(state, r, time);
      if (at >= 0) state.slots[at] = combine(state.slots[at] ?? cell.create(), what);
    }
    state.all = combine(state.all, what);
    if (time > state.maxTime) state.maxTime = time;
  }

  /**
   * Times with the same run bucket share a bucket in every ring (each ring's
   * bucket size a multiple of the first's, so its buckets are unions of the
   * first ring's); NaN, equal to nothing, when the rings do not nest so.
   */
  runBucket(time: number): number {
    return this.nested ? bucketIndex(time, this.specs[0].bucketMs) : Number.NaN;
  }

  /**
   * Folds `source` into `target`, as if `target` had folded every event
   * `source` did: bucket by bucket, each ring moving on to the later of the
   * two newest buckets, a bucket too old for the ring dropped as add() drops
   * an event that old. A ring holds the buckets of its window behind its
   * newest whatever order the events came in, so the result is what folding
   * both states' events into one would give. `source` is left untouched.
   */
  mergeState(target: WindowedState<C>, source: WindowedState<C>): void {
    const { specs, cell } = this;
    if (source.maxTime >= 0) {
      for (let r = 0; r < specs.length; r++) {
        const slots = slotsOf(specs[r]);
        const from = this.newest(source, r);
        const into = this.newest(target, r);
        if (from > into) this.moveOn(target, r, into, from);
        // The source's buckets still inside the moved-on ring: past both its and the target's oldest.
        for (let j = Math.max(from, into) - slots + 1; j <= from; j++) {
          const bucket = source.slots[this.slot(r, j)];
          if (bucket === undefined) continue;
          const at = this.slot(r, j);
          target.slots[at] = cell.mergeInto(target.slots[at] ?? cell.create(), bucket);
        }
      }
      if (source.maxTime > target.maxTime) target.maxTime = source.maxTime;
    }
    target.all = cell.mergeInto(target.all, source.all);
  }

  /** Fresh merged cells per window at `now` (see window-spec.ts), and `all`. */
  project(state: WindowedState<C>, now: number): WindowCells<C> {
    const { specs, cell } = this;
    const out: WindowCells<C> = {};
    for (let r = 0; r < specs.length; r++) {
      const { name, bucketMs, buckets } = specs[r];
      const slots = slotsOf(specs[r]);
      let merged = cell.create();
      const newest = this.newest(state, r);
      const current = bucketIndex(now, bucketMs);
      const lo = Math.max(newest - slots, current - buckets) + 1;
      const hi = Math.min(newest, current);
      for (let j = lo; j <= hi; j++) {
        const source = state.slots[this.slot(r, j)];
        if (source !== undefined) merged = cell.mergeInto(merged, source);
      }
      out[name] = merged;
    }
    out[ALL_WINDOW] = cell.mergeInto(cell.create(), state.all);
    return out;
  }

  /** A fresh merge of two projections' cells; neither input changes. */
  merge(a: WindowCells<C>, b: WindowCells<C>): WindowCells<C> {
    const out: WindowCells<C> = {};
    for (const name of this.names()) {
      let merged = this.cell.create();
      if (a[name] !== undefined) merged = this.cell.mergeInto(merged, a[name]);
      if (b[name] !== undefined) merged = this.cell.mergeInto(merged, b[name]);
      out[name] = merged;
    }
    return out;
  }

  /** Window names in render order, `all` last. */
  names(): string[] {
    return [...this.specs.map((s) => s.name), ALL_WINDOW];
  }

  /** How long after its latest event a state's windows are all empty: the widest window plus the bucket a client's clock may run ahead. */
  get emptyAfterMs(): number {
    return Math.max(...this.specs.map((s) => (s.buckets + 1) * s.bucketMs));
  }

  isEmpty(state: WindowedState<C>): boolean {
    return state.maxTime < 0 && this.cell.isEmpty(state.all);
  }

  write(writer: ByteWriter, state: WindowedState<C>): void {
    writer.varuint(state.maxTime + 1);
    if (state.maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = this.newest(state, r);
        for (let j = newest; j > newest - slotsOf(this.specs[r]); j--) this.cell.write(writer, state.slots[this.slot(r, j)]);
      }
    }
    this.cell.write(writer, state.all);
  }

  read(reader: ByteReader): WindowedState<C> {
    const state = this.create();
    state.maxTime = reader.varuint() - 1;
    if (state.maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = this.newest(state, r);
        for (let j = newest; j > newest - slotsOf(this.specs[r]); j--) state.slots[this.slot(r, j)] = this.cell.read(reader);
      }
    }
    state.all = this.cell.read(reader) ?? this.cell.create();
    return state;
  }
}
