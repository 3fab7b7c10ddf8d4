import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import { countTotalCell, readCountTotalInto, writeCountTotal, type CountTotal } from './count-total-cell';
import { RingLayout } from './ring-layout';
import { ALL_WINDOW, type WindowSpec } from './window-spec';
import { mergeWindowCells, type WindowCells, type Windows } from './windows';

/**
 * A counter's state, flat: one array of numbers, [latest event time (-1
 * before the first), then per slot (RingLayout) its count and total, then
 * the all-time count and total]; an empty bucket is a count of 0. One array
 * of unboxed numbers per state, nothing inside it for the collector to trace
 * or copy piece by piece (as a cell object per bucket was), and one
 * allocation to thaw a stored state.
 */
export type CountTotalState = number[];

const MAX_TIME = 0;

/** Rolling windows of counts and totals, kept flat (CountTotalState); stored as WindowedCells with countTotalCell stores them. */
export class CountTotalWindows implements Windows<CountTotalState, CountTotal, number> {
  readonly cell = countTotalCell;
  private readonly layout: RingLayout;
  /** Where the all-time count is (its total next). */
  private readonly allAt: number;

  constructor(readonly specs: readonly WindowSpec[]) {
    this.layout = new RingLayout(specs);
    this.allAt = countAt(this.layout.slotCount);
  }

  create(): CountTotalState {
    const state = new Array<number>(this.allAt + 2).fill(0);
    state[MAX_TIME] = -1;
    return state;
  }

  maxTime(state: CountTotalState): number {
    return state[MAX_TIME]!;
  }

  add(state: CountTotalState, time: number, value: number): void {
    this.place(state, time, 1, value);
  }

  addCell(state: CountTotalState, time: number, source: CountTotal): void {
    this.place(state, time, source.count, source.total);
  }

  private place(state: CountTotalState, time: number, count: number, total: number): void {
    for (let r = 0; r < this.specs.length; r++) {
      const slot = this.layout.place(state, state[MAX_TIME]!, r, time, emptySlot);
      if (slot < 0) continue;
      const at = countAt(slot);
      state[at] += count;
      state[at + 1] += total;
    }
    state[this.allAt] += count;
    state[this.allAt + 1] += total;
    if (time > state[MAX_TIME]!) state[MAX_TIME] = time;
  }

  runBucket(time: number): number {
    return this.layout.runBucket(time);
  }

  /** As WindowedCells.mergeState: each ring moved on to the later newest bucket, the source's buckets still inside it added. */
  mergeState(target: CountTotalState, source: CountTotalState): void {
    const { layout, allAt } = this;
    const sourceMax = source[MAX_TIME]!;
    if (sourceMax >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const from = layout.newest(sourceMax, r);
        const into = layout.newest(target[MAX_TIME]!, r);
        if (from > into) layout.rollOut(target, r, into, from, emptySlot);
        for (let j = Math.max(from, into) - layout.slotsOf(r) + 1; j <= from; j++) {
          const at = countAt(layout.slot(r, j));
          if (source[at] === 0) continue;
          target[at] += source[at]!;
          target[at + 1] += source[at + 1]!;
        }
      }
      if (sourceMax > target[MAX_TIME]!) target[MAX_TIME] = sourceMax;
    }
    target[allAt] += source[allAt]!;
    target[allAt + 1] += source[allAt + 1]!;
  }

  project(state: CountTotalState, now: number): WindowCells<CountTotal> {
    const { layout, allAt } = this;
    const out: WindowCells<CountTotal> = {};
    for (let r = 0; r < this.specs.length; r++) {
      const merged = { count: 0, total: 0 };
      const { lo, hi } = layout.projected(r, state[MAX_TIME]!, now);
      for (let j = lo; j <= hi; j++) {
        const at = countAt(layout.slot(r, j));
        merged.count += state[at]!;
        merged.total += state[at + 1]!;
      }
      out[this.specs[r].name] = merged;
    }
    out[ALL_WINDOW] = { count: state[allAt]!, total: state[allAt + 1]! };
    return out;
  }

  merge(a: WindowCells<CountTotal>, b: WindowCells<CountTotal>): WindowCells<CountTotal> {
    return mergeWindowCells(this.names(), this.cell, a, b);
  }

  names(): string[] {
    return this.layout.names();
  }

  get emptyAfterMs(): number {
    return this.layout.emptyAfterMs;
  }

  isEmpty(state: CountTotalState): boolean {
    return state[MAX_TIME]! < 0 && state[this.allAt] === 0;
  }

  /** Byte for byte as WindowedCells writes countTotalCell buckets: the latest event time, each ring from its newest bucket back, `all`. */
  write(writer: ByteWriter, state: CountTotalState): void {
    const { layout, allAt } = this;
    const maxTime = state[MAX_TIME]!;
    writer.varuint(maxTime + 1);
    if (maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = layout.newest(maxTime, r);
        for (let j = newest; j > newest - layout.slotsOf(r); j--) {
          const at = countAt(layout.slot(r, j));
          writeCountTotal(writer, state[at]!, state[at + 1]!);
        }
      }
    }
    writeCountTotal(writer, state[allAt]!, state[allAt + 1]!);
  }

  read(reader: ByteReader): CountTotalState {
    const { layout } = this;
    const state = this.create();
    const maxTime = reader.varuint() - 1;
    state[MAX_TIME] = maxTime;
    if (maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const newest = layout.newest(maxTime, r);
        for (let j = newest; j > newest - layout.slotsOf(r); j--) readCountTotalInto(reader, state, countAt(layout.slot(r, j)));
      }
    }
    readCountTotalInto(reader, state, this.allAt);
    return state;
  }
}

/** Where slot i's count is in a state (its total next). */
function countAt(slot: number): number {
  return 1 + 2 * slot;
}

/** Empties a slot of a state (a bucket that rolled out): a count and total of 0. */
function emptySlot(state: CountTotalState, slot: number): void {
  const at = countAt(slot);
  state[at] = 0;
  state[at + 1] = 0;
}
