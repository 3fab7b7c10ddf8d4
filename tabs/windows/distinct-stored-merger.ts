import type { ByteReader } from '../codec/byte-reader';
import { REGISTERS, distinctCountOfRegisters, readDistinctInto, skipDistinct } from '../sketches/distinct-sketch';
import type { StoredCellMerger } from './stored-cell-merger';

/**
 * Distinct cells (distinct-cell.ts's stored form) merged from bytes: counts
 * added, sketches read into one set of dense registers, the window's
 * estimate taken from them. Renders as the unique handler does.
 */
export class DistinctStoredMerger implements StoredCellMerger<{ count: number; distinct: number }> {
  private readonly registers = new Uint8Array(REGISTERS);
  private count = 0;
  /** Registers set (non-zero) in `registers`. */
  private set = 0;

  start(): void {
    if (this.set > 0) this.registers.fill(0);
    this.count = 0;
    this.set = 0;
  }

  read(reader: ByteReader, keep: boolean): void {
    const count = reader.varuint();
    if (count === 0) return;
    if (!keep) {
      skipDistinct(reader);
      return;
    }
    this.count += count;
    this.set += readDistinctInto(reader, this.registers);
  }

  finish(): { count: number; distinct: number } {
    return { count: this.count, distinct: distinctCountOfRegisters(this.registers, this.set) };
  }
}
