import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import { countTotalCell, readCountTotalInto, writeCountTotal, type CountTotal } from './count-total-cell';
import { RingLayout } from './ring-layout';
import { ALL_WINDOW, bucketIndex, type WindowSpec } from './window-spec';
import { mergeWindowCells, type WindowCells, type Windows } from './windows';

/**
 * A counter's state, sparse and flat: one array of numbers, [latest event
 * time (-1 before the first), the all-time count and total, then per bucket
 * that holds events: its key (bucket index · rings + ring), count and
 * total]. A bucket without events has no entry, so a state of a few events
 * is a few numbers (most of Taba's states: a client's batches of one Tab),
 * not two per slot of every ring (115 numbers, ~0.9 KB, for any state): less
 * to allocate on every thaw, less for the collector to copy. Keys name a
 * bucket by its absolute index, so a bucket that rolled out of its ring
 * never matches a live one: entries are judged live against the latest event
 * time when read (RingLayout's rule) and dropped when the time moves on.
 */
export type CountTotalState = number[];

const MAX_TIME = 0;
const ALL_COUNT = 1;
const ALL_TOTAL = 2;
/** Where the bucket entries begin; each is [key, count, total]. */
const ENTRIES = 3;

/** Rolling windows of counts and totals (CountTotalState); stored byte for byte as WindowedCells with countTotalCell stores them. */
export class CountTotalWindows implements Windows<CountTotalState, CountTotal, number> {
  readonly cell = countTotalCell;
  private readonly layout: RingLayout;
  private readonly rings: number;
  /** Per ring, the oldest bucket index still in it (dropRolledOut's scratch). */
  private readonly oldest: Float64Array;
  /** A dense copy of one state (two numbers per slot, as RingLayout places them), to project it (and write one writeSparse cannot place). */
  private readonly dense: Float64Array;
  /** writeSparse's scratch: per ring its newest bucket; per cell in stored order the entry written there (its index in the state; 0 for none). */
  private readonly newestOf: Float64Array;
  private readonly entryAt: Int32Array;

  constructor(readonly specs: readonly WindowSpec[]) {
    this.layout = new RingLayout(specs);
    this.rings = specs.length;
    this.dense = new Float64Array(2 * this.layout.slotCount);
    this.oldest = new Float64Array(this.rings);
    this.newestOf = new Float64Array(this.rings);
    this.entryAt = new Int32Array(this.layout.slotCount);
  }

  create(): CountTotalState {
    return [-1, 0, 0];
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
    const maxTime = state[MAX_TIME]!;
    const latest = time > maxTime ? time : maxTime;
    for (let r = 0; r < this.rings; r++) {
      const index = bucketIndex(time, this.specs[r].bucketMs);
      // Too old for the ring: its bucket rolled out (or never was in it).
      if (index < this.layout.oldest(latest, r)) continue;
      addToBucket(state, this.keyOf(index, r), count, total);
    }
    state[ALL_COUNT] += count;
    state[ALL_TOTAL] += total;
    if (time > maxTime) {
      state[MAX_TIME] = time;
      this.dropRolledOut(state, maxTime);
    }
  }

  runBucket(time: number): number {
    return this.layout.runBucket(time);
  }

  /** As WindowedCells.mergeState: each ring moved on to the later newest bucket, the source's buckets still inside it added. */
  mergeState(target: CountTotalState, source: CountTotalState): void {
    const sourceMax = source[MAX_TIME]!;
    const targetMax = target[MAX_TIME]!;
    if (sourceMax >= 0) {
      const latest = sourceMax > targetMax ? sourceMax : targetMax;
      for (let i = ENTRIES; i < source.length; i += 3) {
        if (source[i + 1] === 0) continue; // no events (as the dense merge skips an empty bucket)
        const key = source[i]!;
        const r = this.ringOf(key);
        // Out of the source's ring, or out of the target's once it moves on.
        if (this.indexOf(key, r) < this.layout.oldest(latest, r)) continue;
        addToBucket(target, key, source[i + 1]!, source[i + 2]!);
      }
      if (sourceMax > targetMax) {
        target[MAX_TIME] = sourceMax;
        this.dropRolledOut(target, targetMax);
      }
    }
    target[ALL_COUNT] += source[ALL_COUNT]!;
    target[ALL_TOTAL] += source[ALL_TOTAL]!;
  }

  project(state: CountTotalState, now: number): WindowCells<CountTotal> {
    const { layout, dense } = this;
    const maxTime = state[MAX_TIME]!;
    this.spread(state);
    const out: WindowCells<CountTotal> = {};
    for (let r = 0; r < this.rings; r++) {
      const merged = { count: 0, total: 0 };
      const { lo, hi } = layout.projected(r, maxTime, now);
      // Bucket by bucket, oldest first (as the dense windows add them: a float total's last bits depend on the order).
      for (let j = lo; j <= hi; j++) {
        const at = 2 * layout.slot(r, j);
        merged.count += dense[at]!;
        merged.total += dense[at + 1]!;
      }
      out[this.specs[r].name] = merged;
    }
    out[ALL_WINDOW] = { count: state[ALL_COUNT]!, total: state[ALL_TOTAL]! };
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
    return state[MAX_TIME]! < 0 && state[ALL_COUNT] === 0;
  }

  /**
   * Byte for byte as WindowedCells writes countTotalCell buckets: the latest
   * event time, each ring from its newest bucket back, `all`. Written from
   * the entries, placed in the order of their cells, with runs of empty
   * buckets (a 0 byte each) between them: a state of a few buckets writes a
   * few cells and runs of zeros, not a cell per slot from a dense copy.
   */
  write(writer: ByteWriter, state: CountTotalState): void {
    const maxTime = state[MAX_TIME]!;
    writer.varuint(maxTime + 1);
    if (maxTime >= 0 && !this.writeSparse(writer, state)) this.writeDense(writer, state);
    writeCountTotal(writer, state[ALL_COUNT]!, state[ALL_TOTAL]!);
  }

  /**
   * The rings' cells from the entries, each placed by where it is written
   * (`entryAt`, left all 0 again); false (nothing written) when an entry is
   * not where a live bucket would be (outside its ring, or sharing a slot),
   * which the dense walk then settles.
   */
  private writeSparse(writer: ByteWriter, state: CountTotalState): boolean {
    const { layout, entryAt } = this;
    const maxTime = state[MAX_TIME]!;
    for (let r = 0; r < this.rings; r++) this.newestOf[r] = layout.newest(maxTime, r);
    let placed = true;
    for (let i = ENTRIES; i < state.length; i += 3) {
      const key = state[i]!;
      const r = this.ringOf(key);
      const back = this.newestOf[r]! - this.indexOf(key, r);
      // A stored state's cells: each ring's slots, newest first, after the rings before it.
      const order = layout.firstSlotOf(r) + back;
      if (!(back >= 0 && back < layout.slotsOf(r)) || entryAt[order] !== 0) {
        placed = false;
        break;
      }
      entryAt[order] = i;
    }
    if (!placed) {
      entryAt.fill(0);
      return false;
    }
    let empty = 0;
    for (let order = 0; order < entryAt.length; order++) {
      const i = entryAt[order]!;
      if (i === 0) {
        empty++;
        continue;
      }
      entryAt[order] = 0;
      writer.zeros(empty);
      empty = 0;
      writeCountTotal(writer, state[i + 1]!, state[i + 2]!);
    }
    writer.zeros(empty);
    return true;
  }

  /** The rings' cells slot by slot, from a dense copy of the state. */
  private writeDense(writer: ByteWriter, state: CountTotalState): void {
    const { layout, dense } = this;
    const maxTime = state[MAX_TIME]!;
    this.spread(state);
    for (let r = 0; r < this.rings; r++) {
      const newest = layout.newest(maxTime, r);
      for (let j = newest; j > newest - layout.slotsOf(r); j--) {
        const at = 2 * layout.slot(r, j);
        writeCountTotal(writer, dense[at]!, dense[at + 1]!);
      }
    }
  }

  /** Lays a state's entries out densely (`dense`: count and total per slot, 0 where no entry), to read slot by slot. */
  private spread(state: CountTotalState): void {
    const { layout, dense } = this;
    dense.fill(0);
    for (let i = ENTRIES; i < state.length; i += 3) {
      const key = state[i]!;
      const r = this.ringOf(key);
      const at = 2 * layout.slot(r, this.indexOf(key, r));
      dense[at] = state[i + 1]!;
      dense[at + 1] = state[i + 2]!;
    }
  }

  read(reader: ByteReader): CountTotalState {
    const maxTime = reader.varuint() - 1;
    const state = [maxTime, 0, 0];
    if (maxTime >= 0) {
      for (let r = 0; r < this.rings; r++) {
        const newest = this.layout.newest(maxTime, r);
        for (let j = newest; j > newest - this.layout.slotsOf(r); j--) {
          // An empty bucket needs no entry.
          if (!readCountTotalInto(reader, cellRead, 0)) state.push(this.keyOf(j, r), cellRead[0]!, cellRead[1]!);
        }
      }
    }
    readCountTotalInto(reader, state, ALL_COUNT);
    return state;
  }

  /** Drops the entries whose buckets rolled out of their rings at the state's latest event time, if any ring moved on since `before`. */
  private dropRolledOut(state: CountTotalState, before: number): void {
    const { layout, oldest } = this;
    const maxTime = state[MAX_TIME]!;
    let movedOn = false;
    for (let r = 0; r < this.rings; r++) {
      if (layout.newest(maxTime, r) !== layout.newest(before, r)) movedOn = true;
      oldest[r] = layout.oldest(maxTime, r);
    }
    if (!movedOn) return;
    let kept = ENTRIES;
    for (let i = ENTRIES; i < state.length; i += 3) {
      const key = state[i]!;
      const r = this.ringOf(key);
      if (this.indexOf(key, r) < oldest[r]!) continue;
      if (kept !== i) {
        state[kept] = key;
        state[kept + 1] = state[i + 1]!;
        state[kept + 2] = state[i + 2]!;
      }
      kept += 3;
    }
    state.length = kept;
  }

  /** An entry's key: bucket `index` of ring r. */
  private keyOf(index: number, r: number): number {
    return index * this.rings + r;
  }

  private ringOf(key: number): number {
    return key % this.rings;
  }

  /** The bucket index of a key of ring r. */
  private indexOf(key: number, r: number): number {
    return (key - r) / this.rings;
  }
}

const cellRead = [0, 0];

/** Adds into the bucket entry with this key (appended when there is none); the latest buckets are last, so searched first. */
function addToBucket(state: CountTotalState, key: number, count: number, total: number): void {
  for (let i = state.length - 3; i >= ENTRIES; i -= 3) {
    if (state[i] !== key) continue;
    state[i + 1] += count;
    state[i + 2] += total;
    return;
  }
  state.push(key, count, total);
}
