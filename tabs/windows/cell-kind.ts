import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';

/**
 * What a window bucket holds (a count and total, a sketch, ...) and how such
 * cells are built, merged and stored. Cells are plain data so projections
 * built from them stay plain too. A flat cell (one array) grows in place or
 * becomes another array (a quantile sketch given new bins by a merge, a
 * sparse distinct sketch turning dense), so adding and merging return the
 * cell to keep.
 */
export interface CellKind<C, V> {
  create(): C;
  /** Adds a value; returns the cell to keep (the same one grown, or another). */
  add(cell: C, value: V): C;
  /** Adds `source` into `target`; returns the target to keep. `source` is left untouched. */
  mergeInto(target: C, source: C): C;
  isEmpty(cell: C): boolean;
  /**
   * Writes a cell; `undefined` is an empty bucket and must read back as one.
   * `closed`: the cell is a window's bucket older than its newest (events
   * reach it only late), so it may be held in a form that is cheap to keep
   * and dear to change. May return a cell of the same value to hold in its
   * place, in such a form; nothing (or undefined) keeps the cell as it is.
   */
  write(writer: ByteWriter, cell: C | undefined, closed?: boolean): C | undefined | void;
  /** Reads a cell; returns `undefined` for an empty bucket. `closed` as for write. */
  read(reader: ByteReader, closed?: boolean): C | undefined;
}
