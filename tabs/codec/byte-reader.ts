// Reads what ByteWriter wrote; every read is bounds-checked so a truncated or
// corrupt state fails with a clear error instead of yielding garbage.
const TWO_POW_7 = 128;

/**
 * The varuint at `at`, as ByteReader.varuint reads it, without a reader (for
 * a glance at a state's first fields many times a second); NaN when its bytes
 * are cut short or it is too large.
 */
export function varuintAt(buf: Uint8Array, at: number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8 && at + i < buf.length; i++) {
    const byte = buf[at + i]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return Number.isSafeInteger(result) ? result : Number.NaN;
    scale *= TWO_POW_7;
  }
  return Number.NaN;
}

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what = 'state',
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(problem: string): never {
    throw new Error(`${this.what}: ${problem} at byte ${this.pos} of ${this.buf.length}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail('truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  varuint(): number {
    // One byte (an empty bucket, a small count or length) is most of what states hold.
    const first = this.pos < this.buf.length ? this.buf[this.pos]! : TWO_POW_7;
    if (first < TWO_POW_7) {
      this.pos++;
      return first;
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) this.fail('varint too large');
        return result;
      }
      scale *= TWO_POW_7;
    }
    return this.fail('varint too long');
  }

  varint(): number {
    const zigzag = this.varuint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * The bytes it reads, whole (unread ones from `offset`), for a decoder of
   * its own (distinct-sketch.ts's Rice codes); `skip` then moves past what it
   * read. Not a subarray: on a Buffer (a Redis reply) that cost more than
   * decoding a small sketch.
   */
  get source(): Uint8Array {
    return this.buf;
  }

  /**
   * A copy of its own of the bytes read since `from` (an offset it stood at),
   * for a reader that keeps them: never a view, since a Buffer's slice (a
   * Redis reply's) is one, on the reply or on the pool it was read into.
   */
  copySince(from: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, from, this.pos);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  string(): string {
    const n = this.varuint();
    return Buffer.from(this.bytes(n)).toString('utf8');
  }

  /** Call after the last field: trailing bytes mean the state is not what we think it is. */
  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}
