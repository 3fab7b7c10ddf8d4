// A growable byte buffer for compact state serialization: unsigned and
// zig-zag varints (exact up to 2^53, unlike 32-bit bit tricks), float64, bytes.
import type { SlabLedger } from './slab-ledger';

const TWO_POW_7 = 128;

/** The largest magnitude `varint` takes: its zig-zag form must stay a safe integer. */
export const ZIGZAG_MAX = 2 ** 52;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;
  /** Where the piece being written begins: bytes before it were handed out by `take` and are never written again. */
  private start = 0;

  private readonly initialCapacity: number;

  constructor(
    initialCapacity = 64,
    /** Where its buffers are registered as slabs, when views of them (`take`) may be kept. */
    private readonly ledger?: SlabLedger,
  ) {
    // At least a byte: growing doubles the capacity.
    this.initialCapacity = Math.max(1, initialCapacity);
    this.buf = new Uint8Array(this.initialCapacity);
    this.view = new DataView(this.buf.buffer);
    ledger?.register(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  /** Drops the piece being written, keeping the buffer for the next use. */
  reset(): this {
    this.len = this.start;
    return this;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    // After `take`, a new slab of the first size (or larger, for a large piece) holding only the piece being written;
    // the old one stays with the views handed out of it.
    const piece = this.len - this.start;
    let cap = this.start > 0 ? this.initialCapacity : this.buf.length * 2;
    while (cap < piece + extra) cap *= 2;
    const next = new Uint8Array(cap);
    this.ledger?.register(next.buffer);
    next.set(this.buf.subarray(this.start, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.len = piece;
    this.start = 0;
  }

  u8(value: number): this {
    this.ensure(1);
    this.buf[this.len++] = value;
    return this;
  }

  /** `count` zero bytes (as many varuint(0)s). */
  zeros(count: number): this {
    if (count <= 0) return this;
    this.ensure(count);
    const { buf } = this;
    const end = this.len + count;
    for (let i = this.len; i < end; i++) buf[i] = 0;
    this.len = end;
    return this;
  }

  /** An unsigned integer in 0..2^53-1 as a LEB128 varint. */
  varuint(value: number): this {
    // Most values (lengths, counts, an empty bucket's 0) fit 31 bits: bit operations, the same bytes.
    if (value >= 0 && value <= 0x7fffffff && (value | 0) === value) {
      this.ensure(5);
      while (value >= TWO_POW_7) {
        this.buf[this.len++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      this.buf[this.len++] = value;
      return this;
    }
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varuint out of range: ${value}`);
    this.ensure(8);
    while (value >= TWO_POW_7) {
      this.buf[this.len++] = (value % TWO_POW_7) | 0x80;
      value = Math.floor(value / TWO_POW_7);
    }
    this.buf[this.len++] = value;
    return this;
  }

  /**
   * Pairs [key, count] of `pairs` from `from` to `to` (keys ascending), each
   * key as its gap to the key two places before it, then the count: the same
   * bytes as varuint(gap).varuint(count) per pair, room made once and each
   * byte put by a local loop (a quantile sketch's bins: through `varuint`,
   * its room check and its property writes per value took half of writing a
   * Tab record's sketches). `from` must be at least 2. The varuint loop is
   * written out for the gap and for the count: one loop over both values of
   * a pair measured 15 us a record against 10-12.
   */
  gapsAndCounts(pairs: ArrayLike<number>, from: number, to: number): this {
    if (to <= from) return this;
    // 8 bytes the most a safe integer's varuint takes.
    this.ensure(((to - from) >> 1) * 16 + 16);
    let len = this.len;
    for (let i = from; i < to; i += 2) len = this.putPair(len, pairs[i]! - pairs[i - 2]!, pairs[i + 1]!);
    this.len = len;
    return this;
  }

  /**
   * A run of counts by key (a quantile sketch's dense bins): for each count
   * in [from + 1, to) that is not 0, the gap from the one before (`from`'s
   * first, written by the caller) and the count, as gapsAndCounts writes
   * pairs.
   */
  runGapsAndCounts(counts: ArrayLike<number>, from: number, to: number): this {
    if (to <= from + 1) return this;
    this.ensure((to - from) * 16);
    let len = this.len;
    let previous = from;
    for (let i = from + 1; i < to; i++) {
      const count = counts[i]!;
      if (count === 0) continue;
      len = this.putPair(len, i - previous, count);
      previous = i;
    }
    this.len = len;
    return this;
  }

  /** varuint(gap).varuint(count) at `len`, room made by the caller (8 bytes each); returns where they end. */
  private putPair(len: number, gap: number, count: number): number {
    return this.putVaruint(this.putVaruint(len, gap), count);
  }

  /** varuint(value) at `len`, room made by the caller (8 bytes); returns where it ends. */
  private putVaruint(len: number, value: number): number {
    if (!(value >= 0 && value <= 0x7fffffff && (value | 0) === value)) {
      this.len = len;
      this.varuint(value);
      return this.len;
    }
    const { buf } = this;
    while (value >= TWO_POW_7) {
      buf[len++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[len++] = value;
    return len;
  }

  /** An integer with |value| <= 2^52 (see ZIGZAG_MAX), zig-zag encoded so small magnitudes stay short. */
  varint(value: number): this {
    if (!Number.isInteger(value) || Math.abs(value) > ZIGZAG_MAX) throw new RangeError(`varint out of range: ${value}`);
    return this.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  f64(value: number): this {
    this.ensure(8);
    this.view.setFloat64(this.len, value, true);
    this.len += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** A UTF-8 string prefixed by its byte length. */
  string(value: string): this {
    const encoded = Buffer.from(value, 'utf8');
    this.varuint(encoded.length);
    return this.bytes(encoded);
  }

  /** Where the piece being written stands, for copySince: its length so far (a growth moves the piece, not its length). */
  mark(): number {
    return this.len - this.start;
  }

  /** A copy of its own of what was written since `mark` (from mark()) in the piece being written. */
  copySince(mark: number): Uint8Array {
    return this.buf.slice(this.start + mark, this.len);
  }

  /** Copies the piece written since the last reset to the start of `target` (at least as long); returns `target`. */
  copyTo(target: Uint8Array): Uint8Array {
    target.set(this.buf.subarray(this.start, this.len));
    return target;
  }

  /** The piece written since the last reset, as a copy of its own. */
  finish(): Uint8Array {
    return this.buf.slice(this.start, this.len);
  }

  /**
   * The piece written since the last reset, as a view on the writer's slab,
   * and the next piece begins after it: no allocation of its own (a copy per
   * state was a new ArrayBuffer each, ~1 µs and a backing store for the
   * collector to sweep, thousands per checkpoint). A slab lives as long as
   * any view on it.
   */
  take(): Uint8Array {
    const piece = this.buf.subarray(this.start, this.len);
    this.start = this.len;
    return piece;
  }
}
