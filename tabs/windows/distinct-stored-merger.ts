import { ByteReader } from '../codec/byte-reader';
import { REGISTERS, distinctCountOfRegisters, readDistinctInto, sizedEntries, skipDistinct } from '../sketches/distinct-sketch';
import type { StoredCellMerger } from './stored-cell-merger';

/**
 * Distinct cells (distinct-cell.ts's stored form) merged from bytes: counts
 * added, sketches read into one set of dense registers, the window's
 * estimate taken from them. Renders as the unique handler does.
 *
 * A window's first sketch of a sized form is not decoded when read, only
 * stepped over (its entry count is how many registers it sets): a window
 * that holds no other sketch (`all`, and a ring whose other buckets are
 * empty or outside it) and sets at most a quarter of the registers is
 * estimated from that count alone (the estimator's linear counting needs
 * nothing else); otherwise it is decoded when the next sketch comes or at
 * the end.
 */
export class DistinctStoredMerger implements StoredCellMerger<{ count: number; distinct: number }> {
  private readonly registers = new Uint8Array(REGISTERS);
  private count = 0;
  /** Registers set (non-zero) in `registers`. */
  private set = 0;
  /** The sketch not decoded yet: the bytes it is in and where it starts, and how many registers it sets. */
  private deferredIn: Uint8Array | undefined;
  private deferredAt = 0;
  private deferredSet = 0;

  start(): void {
    if (this.set > 0) this.registers.fill(0);
    this.count = 0;
    this.set = 0;
    this.deferredIn = undefined;
  }

  read(reader: ByteReader, keep: boolean): void {
    const count = reader.varuint();
    if (count === 0) return;
    if (!keep) {
      skipDistinct(reader);
      return;
    }
    this.count += count;
    if (this.set === 0 && this.deferredIn === undefined) {
      const at = reader.offset;
      const set = sizedEntries(reader);
      if (set !== undefined) {
        this.deferredIn = reader.source;
        this.deferredAt = at;
        this.deferredSet = set;
        return;
      }
    }
    this.decodeDeferred();
    this.set += readDistinctInto(reader, this.registers);
  }

  finish(): { count: number; distinct: number } {
    // One sketch alone, a quarter of the registers or fewer: distinctCountOfRegisters counts from `set` alone.
    if (this.deferredIn !== undefined && this.set === 0 && this.deferredSet <= REGISTERS / 4) return { count: this.count, distinct: distinctCountOfRegisters(this.registers, this.deferredSet) };
    this.decodeDeferred();
    return { count: this.count, distinct: distinctCountOfRegisters(this.registers, this.set) };
  }

  private decodeDeferred(): void {
    if (this.deferredIn === undefined) return;
    const reader = new ByteReader(this.deferredIn, 'unique state');
    reader.skip(this.deferredAt);
    this.set += readDistinctInto(reader, this.registers);
    this.deferredIn = undefined;
  }
}
