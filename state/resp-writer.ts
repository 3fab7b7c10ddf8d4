// One Redis command's arguments in RESP (the Redis protocol: an array of bulk
// strings, `*<n>\r\n` then `$<length>\r\n<bytes>\r\n` per argument), written
// straight into one buffer as they come. A checkpoint sends tens of thousands
// of arguments (a field name and the bytes of each state) in one EVALSHA, and
// ioredis encodes an argument as several strings and buffers, measures each
// twice and copies them once more: 5.5 % of a worker's CPU at Taba's full
// shape (a profiled `npm run bench -- --only taba-full`), where this writer
// takes a fraction of it (`tsx bench/checkpoint-encode.ts`). The bytes on the
// wire are the same (test/unit/resp-writer.test.ts compares them with ioredis').

/** Room kept before the arguments for the command's header (`*<n>\r\n`, its name, and a first argument of up to 48 bytes). */
const HEADER_ROOM = 96;
/** Digits of a length or count, at most (2^53 fits). */
const MAX_DIGITS = 16;
const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;

export class RespWriter {
  private buf: Buffer;
  private at = HEADER_ROOM;
  /** Arguments written (the command's name and first argument not counted). */
  private count = 0;
  /** command() wrote a header in the room before the arguments: a second one gets a buffer of its own (the first may still wait in a socket's queue). */
  private roomUsed = false;
  /** Times the buffer grew (its size hint fell short), each a copy of what was written. */
  grown = 0;

  /** `sizeHint`: the arguments' bytes expected, so the buffer is allocated once. */
  constructor(sizeHint = 4096) {
    this.buf = Buffer.allocUnsafe(HEADER_ROOM + sizeHint);
  }

  /** A string argument (its UTF-8 bytes). */
  string(s: string): void {
    const n = s.length;
    const before = this.at;
    this.head(n);
    const buf = this.buf;
    let at = this.at;
    // Written as ASCII while checking that it is; else again, as UTF-8.
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      seen |= c;
      buf[at++] = c;
    }
    if (seen < 0x80) {
      this.at = this.tail(at);
      return;
    }
    this.at = before;
    this.count--;
    this.bytesArg(Buffer.from(s, 'utf8'));
  }

  /** A decimal integer argument. */
  integer(value: number): void {
    this.string(String(value));
  }

  /**
   * `<a>\0<b>` as one argument, both ASCII (Tab and client names: their
   * charset is [A-Za-z0-9_.:/-], a record's client is `*`): a state's field,
   * without making its string.
   */
  joined(a: string, b: string): void {
    const length = a.length + 1 + b.length;
    this.head(length);
    const buf = this.buf;
    let at = this.at;
    let seen = 0;
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      seen |= c;
      buf[at++] = c;
    }
    buf[at++] = 0;
    for (let i = 0; i < b.length; i++) {
      const c = b.charCodeAt(i);
      seen |= c;
      buf[at++] = c;
    }
    // A name outside ASCII would have been written wrong.
    if (seen >= 0x80) throw new TypeError(`a Tab or client name is ASCII, got ${JSON.stringify(a)}, ${JSON.stringify(b)}`);
    this.at = this.tail(at);
  }

  /** A binary argument, its bytes copied. */
  bytesArg(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    this.head(n);
    const buf = this.buf;
    let at = this.at;
    // A loop beats the native copy's call for the small states most arguments are.
    if (n <= 64) for (let i = 0; i < n; i++) buf[at++] = bytes[i]!;
    else {
      buf.set(bytes, at);
      at += n;
    }
    this.at = this.tail(at);
  }

  /**
   * The whole command: `name`, then `first`, then the arguments written (no
   * more may be written after). The first call's bytes share the writer's
   * buffer; a later one (another name or first argument) gets a copy.
   */
  command(name: string, first: string): Buffer {
    const header = Buffer.from(`*${this.count + 2}\r\n$${Buffer.byteLength(name)}\r\n${name}\r\n$${Buffer.byteLength(first)}\r\n${first}\r\n`, 'utf8');
    const body = this.buf.subarray(HEADER_ROOM, this.at);
    if (this.roomUsed || header.length > HEADER_ROOM) return Buffer.concat([header, body]);
    this.roomUsed = true;
    const start = HEADER_ROOM - header.length;
    header.copy(this.buf, start);
    return this.buf.subarray(start, this.at);
  }

  /** `$<length>\r\n`, with room for the argument's bytes and the `\r\n` after them. */
  private head(length: number): void {
    this.ensure(1 + MAX_DIGITS + 2 + length + 2);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = DOLLAR;
    at = writeDigits(buf, at, length);
    buf[at++] = CR;
    buf[at++] = LF;
    this.at = at;
    this.count++;
  }

  private tail(at: number): number {
    this.buf[at++] = CR;
    this.buf[at++] = LF;
    return at;
  }

  private ensure(more: number): void {
    if (this.at + more <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + more));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
    this.grown++;
  }
}

function writeDigits(buf: Buffer, at: number, value: number): number {
  if (value < 10) {
    buf[at] = 0x30 + value;
    return at + 1;
  }
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  let end = at + digits;
  for (let v = value; end > at; v = Math.floor(v / 10)) buf[--end] = 0x30 + (v % 10);
  return at + digits;
}
