import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';

/**
 * What a window bucket holds (a count and total, a sketch, ...) and how such
 * cells are built, merged and stored. Cells are plain data so projections
 * built from them stay plain too.
 */
export interface CellKind<C, V> {
  create(): C;
  add(cell: C, value: V): void;
  /** Adds `source` into `target`; `source` is left untouched. */
  mergeInto(target: C, source: C): void;
  isEmpty(cell: C): boolean;
  /** Writes a cell; `undefined` is an empty bucket and must read back as one. */
  write(writer: ByteWriter, cell: C | undefined): void;
  /** Reads a cell; returns `undefined` for an empty bucket. */
  read(reader: ByteReader): C | undefined;
}
