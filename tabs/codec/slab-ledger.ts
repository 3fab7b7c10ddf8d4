// What shared slabs cost beyond the bytes kept in them. Serialized states
// and stored copies are views on shared slabs (ByteWriter.take, ByteSlab), and
// a slab lives as long as any view on it: a state keeping 40 bytes of a 64
// KiB slab keeps the whole slab. Holders count a kept view's own length; the
// ledger counts, over the slabs some kept view pins, the rest of each slab
// (its pinned overhead), so the working set can count the whole of them.
// Views are kept and let go by reference count, as their holders do, not as
// the collector frees them: a slab whose last kept view is let go no longer
// counts, though the collector sweeps it later (as all garbage).

interface Slab {
  readonly bytes: number;
  /** Kept views on it. */
  kept: number;
}

export class SlabLedger {
  private readonly slabs = new WeakMap<ArrayBufferLike, Slab>();
  /** The last slab looked up: views are kept mostly in runs from one slab (a checkpoint's serialized states). */
  private lastBuffer: ArrayBufferLike | null = null;
  private lastSlab: Slab | null = null;
  private pinned = 0;
  private pinnedSlabs = 0;

  /** A new slab whose views may be kept. */
  register(buffer: ArrayBufferLike): void {
    this.slabs.set(buffer, { bytes: buffer.byteLength, kept: 0 });
  }

  /** A holder keeps `view` (and counts its length): its slab, if it is one, is pinned. */
  keep(view: Uint8Array): void {
    const slab = this.slabOf(view);
    if (slab === undefined) return;
    if (slab.kept++ === 0) {
      this.pinned += slab.bytes;
      this.pinnedSlabs++;
    }
    this.pinned -= view.byteLength;
  }

  /** A holder lets go of `view`, kept before. */
  letGo(view: Uint8Array): void {
    const slab = this.slabOf(view);
    if (slab === undefined || slab.kept === 0) return;
    this.pinned += view.byteLength;
    if (--slab.kept === 0) {
      this.pinned -= slab.bytes;
      this.pinnedSlabs--;
    }
  }

  /** Bytes of pinned slabs beyond the kept views in them. */
  get overheadBytes(): number {
    return this.pinned;
  }

  /** Slabs some kept view pins. */
  get slabCount(): number {
    return this.pinnedSlabs;
  }

  private slabOf(view: Uint8Array): Slab | undefined {
    const buffer = view.buffer;
    // A buffer of its own is no slab (and most are not: the check saves a lookup).
    if (view.byteLength === buffer.byteLength) return undefined;
    if (buffer === this.lastBuffer) return this.lastSlab!;
    const slab = this.slabs.get(buffer);
    if (slab !== undefined) {
      this.lastBuffer = buffer;
      this.lastSlab = slab;
    }
    return slab;
  }
}

/** The process's ledger: the shared writer's slabs and the stored copies' (one of each serves every task). */
export const slabLedger = new SlabLedger();
