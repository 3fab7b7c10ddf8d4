import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import type { CellKind } from './cell-kind';
import {
  distinctAddEntry,
  distinctMergeInto,
  isDistinctEmpty,
  newDistinct,
  readDistinct,
  writeDistinct,
  writeDistinctHeld,
  type DistinctSketch,
} from '../sketches/distinct-sketch';

/** A window bucket of a `unique` Tab: how many events, and the sketch of their distinct values. */
export interface DistinctCell {
  count: number;
  distinct: DistinctSketch;
}

/** Takes values as distinctEntry(value), so an event is hashed once, not once per window. */
export const distinctCell: CellKind<DistinctCell, number> = {
  create: () => ({ count: 0, distinct: newDistinct() }),
  add(cell, value) {
    cell.count++;
    cell.distinct = distinctAddEntry(cell.distinct, value);
    return cell;
  },
  mergeInto(target, source) {
    target.count += source.count;
    target.distinct = distinctMergeInto(target.distinct, source.distinct);
    return target;
  },
  isEmpty: (cell) => cell.count === 0 && isDistinctEmpty(cell.distinct),
  write(writer: ByteWriter, cell, closed = false) {
    if (cell === undefined || distinctCell.isEmpty(cell)) {
      writer.varuint(0);
      return;
    }
    writer.varuint(cell.count);
    if (!closed) {
      writeDistinct(writer, cell.distinct);
      return;
    }
    // A closed bucket's dense sketch long unraised is held as its codes from here on (see writeDistinctHeld). Not a
    // newest bucket's, nor the all-time one's: raised now and then (a value not seen before), they would be made
    // registers again each time, a decode and a write of every register.
    cell.distinct = writeDistinctHeld(writer, cell.distinct) ?? newDistinct();
  },
  read(reader: ByteReader) {
    const count = reader.varuint();
    if (count === 0) return undefined;
    return { count, distinct: readDistinct(reader) ?? newDistinct() };
  },
};
