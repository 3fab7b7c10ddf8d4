import type { ByteReader } from '../codec/byte-reader';
import { ZIGZAG_MAX, type ByteWriter } from '../codec/byte-writer';
import type { CellKind } from './cell-kind';

/** How many events fell in a bucket and the sum of their values. */
export interface CountTotal {
  count: number;
  total: number;
}

// A cell is written as varuint(count·4 + mode) then the total as the mode
// says: most counters record 1s (total = count, nothing more to write) or
// integers (a short varint), so a busy counter's 52 buckets stay small.
const TOTAL_IS_COUNT = 0;
const TOTAL_IS_INTEGER = 1;
const TOTAL_IS_FLOAT = 2;

export const countTotalCell: CellKind<CountTotal, number> = {
  create: () => ({ count: 0, total: 0 }),
  add(cell, value) {
    cell.count++;
    cell.total += value;
    return cell;
  },
  mergeInto(target, source) {
    target.count += source.count;
    target.total += source.total;
    return target;
  },
  isEmpty: (cell) => cell.count === 0,
  write(writer: ByteWriter, cell) {
    if (cell === undefined) writer.varuint(0);
    else writeCountTotal(writer, cell.count, cell.total);
  },
  read(reader: ByteReader) {
    const empty = readCountTotalInto(reader, scratch, 0);
    return empty ? undefined : { count: scratch[0]!, total: scratch[1]! };
  },
};

const scratch = [0, 0];

/** A bucket's count and total as stored (0 for an empty bucket). */
export function writeCountTotal(writer: ByteWriter, count: number, total: number): void {
  if (total === count && !Object.is(total, -0)) {
    writer.varuint(count * 4 + TOTAL_IS_COUNT);
  } else if (Number.isInteger(total) && Math.abs(total) <= ZIGZAG_MAX) {
    writer.varuint(count * 4 + TOTAL_IS_INTEGER).varint(total);
  } else {
    writer.varuint(count * 4 + TOTAL_IS_FLOAT).f64(total);
  }
}

/** Reads a stored bucket into into[at] (count) and into[at + 1] (total); true when it is the empty bucket. */
export function readCountTotalInto(reader: ByteReader, into: number[], at: number): boolean {
  const head = reader.varuint();
  const mode = head % 4;
  const count = (head - mode) / 4;
  into[at] = count;
  if (mode === TOTAL_IS_COUNT) into[at + 1] = count;
  else if (mode === TOTAL_IS_INTEGER) into[at + 1] = reader.varint();
  else if (mode === TOTAL_IS_FLOAT) into[at + 1] = reader.f64();
  else reader.fail(`unknown count/total cell mode ${mode}`);
  return mode === TOTAL_IS_COUNT && count === 0;
}
