import type { ByteReader } from '../codec/byte-reader';

/**
 * Cells of one kind merged as they are read from a stored state, one window
 * at a time, into what the handler renders for the window: a projection
 * rendered straight from the bytes, with no cell objects made only to be
 * merged and dropped (a query reading thousands of Tab records).
 */
export interface StoredCellMerger<R> {
  /** Starts a window's merge (forgets the last one's). */
  start(): void;
  /** Reads one stored cell (exactly the bytes CellKind.read reads) and merges it in when `keep`. */
  read(reader: ByteReader, keep: boolean): void;
  /** The merged window, rendered. */
  finish(): R;
}
