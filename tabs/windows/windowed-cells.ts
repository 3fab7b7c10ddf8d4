import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import type { CellKind } from './cell-kind';
import { RingLayout } from './ring-layout';
import type { StoredCellMerger } from './stored-cell-merger';
import { ALL_WINDOW, type WindowSpec } from './window-spec';
import { mergeWindowCells, type WindowCells, type Windows } from './windows';

export type { WindowCells } from './windows';

/**
 * A set of rolling windows plus an all-time cell, a cell object per bucket
 * (any cell kind; see RingLayout for where buckets live). A projection at
 * `now` is exact at bucket boundaries (window-spec.ts) as long as no event
 * folded so far lies more than one bucket after `now`.
 */
export interface WindowedState<C> {
  /** Latest event time folded, -1 before the first. */
  maxTime: number;
  /** The rings' slots one after another in one array (one object less per ring), as RingLayout places them. */
  slots: Array<C | undefined>;
  all: C;
}

export class WindowedCells<C, V> implements Windows<WindowedState<C>, C, V> {
  private readonly layout: RingLayout;

  constructor(
    readonly specs: readonly WindowSpec[],
    readonly cell: CellKind<C, V>,
  ) {
    this.layout = new RingLayout(specs);
  }

  create(): WindowedState<C> {
    return { maxTime: -1, slots: new Array<C | undefined>(this.layout.slotCount).fill(undefined), all: this.cell.create() };
  }

  maxTime(state: WindowedState<C>): number {
    return state.maxTime;
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
      const at = this.layout.place(state, state.maxTime, r, time, clearSlot);
      if (at >= 0) state.slots[at] = combine(state.slots[at] ?? cell.create(), what);
    }
    state.all = combine(state.all, what);
    if (time > state.maxTime) state.maxTime = time;
  }

  runBucket(time: number): number {
    return this.layout.runBucket(time);
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
    const { specs, cell, layout } = this;
    if (source.maxTime >= 0) {
      for (let r = 0; r < specs.length; r++) {
        const slots = layout.slotsOf(r);
        const from = layout.newest(source.maxTime, r);
        const into = layout.newest(target.maxTime, r);
        if (from > into) layout.rollOut(target, r, into, from, clearSlot);
        // The source's buckets still inside the moved-on ring: past both its and the target's oldest.
        for (let j = Math.max(from, into) - slots + 1; j <= from; j++) {
          const at = layout.slot(r, j);
          const bucket = source.slots[at];
          if (bucket !== undefined) target.slots[at] = cell.mergeInto(target.slots[at] ?? cell.create(), bucket);
        }
      }
      if (source.maxTime > target.maxTime) target.maxTime = source.maxTime;
    }
    target.all = cell.mergeInto(target.all, source.all);
  }

  project(state: WindowedState<C>, now: number): WindowCells<C> {
    const { specs, cell, layout } = this;
    const out: WindowCells<C> = {};
    for (let r = 0; r < specs.length; r++) {
      let merged = cell.create();
      const { lo, hi } = layout.projected(r, state.maxTime, now);
      for (let j = lo; j <= hi; j++) {
        const source = state.slots[layout.slot(r, j)];
        if (source !== undefined) merged = cell.mergeInto(merged, source);
      }
      out[specs[r].name] = merged;
    }
    out[ALL_WINDOW] = cell.mergeInto(cell.create(), state.all);
    return out;
  }

  merge(a: WindowCells<C>, b: WindowCells<C>): WindowCells<C> {
    return mergeWindowCells(this.names(), this.cell, a, b);
  }

  names(): string[] {
    return this.layout.names();
  }

  get emptyAfterMs(): number {
    return this.layout.emptyAfterMs;
  }

  isEmpty(state: WindowedState<C>): boolean {
    return state.maxTime < 0 && this.cell.isEmpty(state.all);
  }

  /** The latest event time, then each ring's slots from its newest bucket back, then `all`; a cell may be held in another form after (CellKind.write). */
  write(writer: ByteWriter, state: WindowedState<C>): void {
    const { layout } = this;
    writer.varuint(state.maxTime + 1);
    if (state.maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = layout.newest(state.maxTime, r);
        for (let j = newest; j > newest - layout.slotsOf(r); j--) {
          const at = layout.slot(r, j);
          const held = this.cell.write(writer, state.slots[at], j < newest);
          if (held !== undefined) state.slots[at] = held;
        }
      }
    }
    const all = this.cell.write(writer, state.all);
    if (all !== undefined) state.all = all;
  }

  /** The windows at `now` as `merger` merges them from a stored state's bytes: the slots read in write()'s order, each kept when project() would merge it. */
  projectStored<R>(reader: ByteReader, now: number, merger: StoredCellMerger<R>): Record<string, R> {
    const { layout, specs } = this;
    const out: Record<string, R> = {};
    const maxTime = reader.varuint() - 1;
    for (let r = 0; r < specs.length; r++) {
      merger.start();
      if (maxTime >= 0) {
        const { lo, hi } = layout.projected(r, maxTime, now);
        const newest = layout.newest(maxTime, r);
        for (let j = newest; j > newest - layout.slotsOf(r); j--) merger.read(reader, j >= lo && j <= hi);
      }
      out[specs[r].name] = merger.finish();
    }
    merger.start();
    merger.read(reader, true);
    out[ALL_WINDOW] = merger.finish();
    return out;
  }

  read(reader: ByteReader): WindowedState<C> {
    const { layout } = this;
    const state = this.create();
    state.maxTime = reader.varuint() - 1;
    if (state.maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = layout.newest(state.maxTime, r);
        for (let j = newest; j > newest - layout.slotsOf(r); j--) state.slots[layout.slot(r, j)] = this.cell.read(reader, j < newest);
      }
    }
    state.all = this.cell.read(reader) ?? this.cell.create();
    return state;
  }
}

/** Empties a slot of a state's rings (a bucket that rolled out). */
function clearSlot<C>(state: WindowedState<C>, slot: number): void {
  state.slots[slot] = undefined;
}
