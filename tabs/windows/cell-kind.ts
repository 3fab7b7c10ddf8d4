import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';

/**
 * What a window bucket holds (a count and total, a sketch, ...) and how such
 * cells are built, merged and stored. Cells are plain data so projections
 * built from them stay plain too. A flat cell (one array, exactly as long as
 * it needs) grows by becoming a new array, so adding and merging return the
 * cell to keep.
 */
export interface CellKind<C, V> {
  create(): C;
  /** Adds a value; returns the cell to keep (the same one, or its grown copy). */
  add(cell: C, value: V): C;
  /** Adds `source` into `target`; returns the target to keep. `source` is left untouched. */
  mergeInto(target: C, source: C): C;
  isEmpty(cell: C): boolean;
  /** Writes a cell; `undefined` is an empty bucket and must read back as one. */
  write(writer: ByteWriter, cell: C | undefined): void;
  /** Reads a cell; returns `undefined` for an empty bucket. */
  read(reader: ByteReader): C | undefined;
}
