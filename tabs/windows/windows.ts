import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import type { CellKind } from './cell-kind';
import type { StoredCellMerger } from './stored-cell-merger';

/** The merged cells of one projection: one per window name, plus `all`. */
export type WindowCells<C> = Record<string, C>;

/**
 * Rolling windows of cells plus an all-time cell, as a windowed Tab type's
 * state (S) holds them: how values fold in, states merge, projections read
 * and states are stored. WindowedCells keeps any cell kind (an object per
 * bucket); CountTotalWindows keeps counts and totals sparse, in one array.
 */
export interface Windows<S, C, V> {
  readonly cell: CellKind<C, V>;
  create(): S;
  /** Latest event time folded, -1 before the first. */
  maxTime(state: S): number;
  /** Folds a value at an event time. */
  add(state: S, time: number, value: V): void;
  /** Folds a cell of values whose times share a run bucket, the latest at `time`; `source` is left untouched. */
  addCell(state: S, time: number, source: C): void;
  /** Times with one run bucket fall in one bucket of every window; NaN when no two do. */
  runBucket(time: number): number;
  /** Folds `source` into `target` as if `target` had folded every event `source` did; `source` is left untouched. */
  mergeState(target: S, source: S): void;
  /** Fresh merged cells per window at `now`, and `all`. */
  project(state: S, now: number): WindowCells<C>;
  /** A fresh merge of two projections' cells; neither input changes. */
  merge(a: WindowCells<C>, b: WindowCells<C>): WindowCells<C>;
  /** Window names in render order, `all` last. */
  names(): string[];
  /** How long after its latest event a state's windows are all empty. */
  readonly emptyAfterMs: number;
  isEmpty(state: S): boolean;
  /** Writes the state, starting with `varuint(maxTime + 1)`: a windowed handler judges stored states by it (prunesStored). */
  write(writer: ByteWriter, state: S): void;
  read(reader: ByteReader): S;
  /**
   * What render(project(read(reader), now)) would give per window, from the
   * stored bytes as `merger` merges them (the reader left past the state);
   * absent where the windows do not read their bytes so.
   */
  projectStored?<R>(reader: ByteReader, now: number, merger: StoredCellMerger<R>): Record<string, R>;
}

/** A fresh merge of two projections' cells, window by window; neither input changes. */
export function mergeWindowCells<C, V>(names: readonly string[], cell: CellKind<C, V>, a: WindowCells<C>, b: WindowCells<C>): WindowCells<C> {
  const out: WindowCells<C> = {};
  for (const name of names) {
    let merged = cell.create();
    if (a[name] !== undefined) merged = cell.mergeInto(merged, a[name]);
    if (b[name] !== undefined) merged = cell.mergeInto(merged, b[name]);
    out[name] = merged;
  }
  return out;
}
