// Copies of small byte strings packed into shared slabs: a copy is a view on
// a 64 KiB slab, not a buffer of its own (a new ArrayBuffer costs ~1 µs and a
// backing store for the collector to sweep, and a worker thaws thousands of
// states a second). A slab lives as long as any copy in it; the states that
// keep these copies let them go at their next fold or freeze, so a slab is
// held for seconds, not for good.

import { slabLedger, type SlabLedger } from '../tabs/codec/slab-ledger';

/** Slab size. */
export const SLAB_BYTES = 64 * 1024;
/** Larger copies get a buffer of their own. */
const OWN_BUFFER_BYTES = SLAB_BYTES / 4;

export class ByteSlab {
  private slab: Uint8Array;
  private used = 0;

  constructor(
    /** Where its slabs are registered (the working set counts the slabs kept copies pin). */
    private readonly ledger?: SlabLedger,
  ) {
    this.slab = this.newSlab();
  }

  copy(bytes: Uint8Array): Uint8Array {
    const length = bytes.byteLength;
    if (length > OWN_BUFFER_BYTES) return Uint8Array.prototype.slice.call(bytes);
    if (this.used + length > SLAB_BYTES) {
      this.slab = this.newSlab();
      this.used = 0;
    }
    const at = this.used;
    this.slab.set(bytes, at);
    this.used += length;
    return this.slab.subarray(at, at + length);
  }

  private newSlab(): Uint8Array {
    const slab = new Uint8Array(SLAB_BYTES);
    this.ledger?.register(slab.buffer);
    return slab;
  }
}

/** Where a task's thawed states' stored bytes are copied to (one slab serves every task of the process). */
export const storedCopies = new ByteSlab(slabLedger);

/**
 * Bytes a state may keep: these when they are a buffer of their own, else a
 * copy (a view into a Redis reply may share its buffer with others, or with
 * the parser's reused pool).
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : storedCopies.copy(bytes);
}
