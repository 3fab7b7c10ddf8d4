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
  /** Per window spec, n + 1 slots (see slotsOf); bucket index i lives in slot i mod (n + 1). */
  rings: Array<Array<C | undefined>>;
  /** Per window spec, the newest bucket index (derived from maxTime). */
  newest: number[];
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
  constructor(
    readonly specs: readonly WindowSpec[],
    readonly cell: CellKind<C, V>,
  ) {}

  create(): WindowedState<C> {
    return {
      maxTime: -1,
      rings: this.specs.map((s) => new Array<C | undefined>(slotsOf(s)).fill(undefined)),
      newest: this.specs.map(() => -1),
      all: this.cell.create(),
    };
  }

  /**
   * Folds a value at an event time. A time later than any before advances the
   * rings (clearing the buckets that roll out); a time too old for a ring
   * misses that ring but still counts in the wider ones and in `all`.
   */
  add(state: WindowedState<C>, time: number, value: V): void {
    const { specs, cell } = this;
    for (let r = 0; r < specs.length; r++) {
      const ring = state.rings[r];
      const slot = this.bucket(state, r, bucketIndex(time, specs[r].bucketMs));
      if (slot >= 0) ring[slot] = cell.add(ring[slot]!, value);
    }
    state.all = cell.add(state.all, value);
    if (time > state.maxTime) state.maxTime = time;
  }

  /**
   * Ring r's slot for bucket `index`, its cell made when missing: a later
   * bucket than the ring's newest moves the ring on (clearing the buckets
   * that roll out); one too old for the ring has no slot (-1).
   */
  private bucket(state: WindowedState<C>, r: number, index: number): number {
    const slots = slotsOf(this.specs[r]);
    const ring = state.rings[r];
    const newest = state.newest[r];
    if (index > newest) {
      for (let j = Math.max(newest + 1, index - slots + 1); j <= index; j++) ring[slotOf(j, slots)] = undefined;
      state.newest[r] = index;
    } else if (index <= newest - slots) {
      return -1;
    }
    const slot = slotOf(index, slots);
    if (ring[slot] === undefined) ring[slot] = this.cell.create();
    return slot;
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
        const from = source.newest[r];
        for (let j = from - slots + 1; j <= from; j++) {
          const bucket = source.rings[r][slotOf(j, slots)];
          if (bucket === undefined) continue;
          const ring = target.rings[r];
          const slot = this.bucket(target, r, j);
          if (slot >= 0) ring[slot] = cell.mergeInto(ring[slot]!, bucket);
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
      const newest = state.newest[r];
      const current = bucketIndex(now, bucketMs);
      const lo = Math.max(newest - slots, current - buckets) + 1;
      const hi = Math.min(newest, current);
      for (let j = lo; j <= hi; j++) {
        const source = state.rings[r][slotOf(j, slots)];
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
        const slots = slotsOf(this.specs[r]);
        const newest = state.newest[r];
        for (let j = newest; j > newest - slots; j--) this.cell.write(writer, state.rings[r][slotOf(j, slots)]);
      }
    }
    this.cell.write(writer, state.all);
  }

  read(reader: ByteReader): WindowedState<C> {
    const state = this.create();
    state.maxTime = reader.varuint() - 1;
    if (state.maxTime >= 0) {
      for (let r = 0; r < this.specs.length; r++) {
        const slots = slotsOf(this.specs[r]);
        const newest = bucketIndex(state.maxTime, this.specs[r].bucketMs);
        state.newest[r] = newest;
        for (let j = newest; j > newest - slots; j--) state.rings[r][slotOf(j, slots)] = this.cell.read(reader);
      }
    }
    state.all = this.cell.read(reader) ?? this.cell.create();
    return state;
  }
}
