/**
 * A long sparse distinct sketch held coded, as HyperLogLog++ holds its
 * sparse list: its stored form (the Rice codes of its sorted entries, with
 * their header, exactly as writeDistinct writes them) and the entries set
 * since, unsorted, merged into the codes now and then (distinct-sketch.ts;
 * spliced in, see coded-list-splice.ts).
 * A list of a thousand entries is ~1.2 KB so, where a JavaScript array of
 * them took ~8-10 KB: a unique Tab record's sparse buckets were a third of
 * its heap, and Tab records most of a worker's working set at Taba's shape.
 * `stored` is in a buffer of the sketch's own (a copy when read back, never
 * a view on what it was read from), and a settle writes the next form over
 * it when the buffer was made for that (see storedRoom in
 * distinct-sketch.ts): a clone copies it.
 */
export class CodedSparse {
  constructor(
    /** The stored form of `count` entries: form byte, entry count, the codes' length, the codes. */
    public stored: Uint8Array,
    public count: number,
    /** The last set register among the codes' entries. */
    public last: number,
    /** The codes' length in bits (the last byte's padding not counted). */
    public bits: number,
    /** Entries (register·64 + rank) set since: in any order, repeats and lower ranks included. */
    public readonly added: number[] = [],
    /** Where each chunk of registers begins in the codes (coded-list-index.ts), while the list is written again and again. */
    public index: Int32Array | undefined = undefined,
  ) {}

  clone(): CodedSparse {
    return new CodedSparse(Uint8Array.prototype.slice.call(this.stored), this.count, this.last, this.bits, this.added.slice());
  }
}
