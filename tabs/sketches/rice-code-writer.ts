// The bit writer of a distinct sketch's Rice codes (see RICE in
// distinct-sketch.ts): per entry, the gap to the previous set register
// (unary quotient, then k bits), then the rank - 1 in unary; most
// significant bit first, the last byte padded with zeros. The codes go into
// one module buffer (plain stores, no room check per byte), copied out at
// once by the caller. Entries can be coded in pieces (putEntries from any
// previous register), and a run of codes written before can be copied in
// bit for bit (copyBits): kept-sketch-codes.ts writes a sketch so, coding
// again only what changed.
import * as layout from './register-layout';

// Module-local copies of what is imported from the sketch's own modules: hot
// loops use them at every step, and run by the tsx command (the bench tools)
// an imported binding was read through a getter, ~15 % of a dense sketch's
// write in a microbenchmark's profile (a worker's profile shows no getters).
const { MAX_RANK, MAX_RICE_K, RANK_BITS, RANK_SCALE, REGISTERS } = layout;

/** The most entries a sketch is Rice-coded with: past it the packed array (12 KiB) is written (Rice codes would take ~4 bits an entry: 4 KiB here). */
export const RICE_WRITE_LIMIT = 8192;

/** The widest word written at once: with at most 7 bits pending, it stays under 2^31. */
const CODE_WORD_BITS = 24;

/**
 * Room for the longest codes: up to RICE_WRITE_LIMIT entries of at most
 * 1 + 13 + 63 bits each, and the quotients' ones (under REGISTERS in all),
 * and the three bytes the fast path stores past the end.
 */
export const riceOut = new Uint8Array(Math.ceil((RICE_WRITE_LIMIT * (1 + MAX_RICE_K + MAX_RANK) + REGISTERS) / 8) + 3);

/** The writer's state between calls: whole bytes written, and bits not yet a whole byte (the low `pending` bits of `acc`, at most 7). */
const bits = { acc: 0, pending: 0, len: 0 };

/** Starts new codes at riceOut's first byte. */
export function startCodes(): void {
  bits.acc = 0;
  bits.pending = 0;
  bits.len = 0;
}

/** Bits written since startCodes. */
export function codeBits(): number {
  return bits.len * 8 + bits.pending;
}

/** Pads the last byte with zeros; returns the codes' length in bytes. */
export function finishCodes(): number {
  if (bits.pending > 0) riceOut[bits.len++] = bits.acc << (8 - bits.pending);
  bits.acc = 0;
  bits.pending = 0;
  return bits.len;
}

/** k near log2 of the mean gap of `count` entries up to `lastRegister` (times ln 2, Golomb's rule for geometric gaps). */
export function riceK(count: number, lastRegister: number): number {
  const meanGap = (lastRegister + 1 - count) / count;
  return meanGap < 2 ? 0 : Math.min(MAX_RICE_K, 31 - Math.clz32(Math.floor(meanGap * Math.LN2)));
}

/** Codes entries `from` to `to` (ascending, after `previous`, the set register before them or -1) with parameter k. */
export function putEntries(entries: ArrayLike<number>, from: number, to: number, previous: number, k: number): void {
  const out = riceOut;
  let { acc, pending, len } = bits;
  const low = (1 << k) - 1;
  for (let i = from; i < to; i++) {
    const register = entries[i]! >>> RANK_BITS;
    const rank = entries[i]! & (RANK_SCALE - 1);
    const gap = register - previous - 1;
    previous = register;
    const quotient = gap >>> k;
    const width = quotient + 1 + k + rank;
    if (width <= CODE_WORD_BITS) {
      // Most entries: one word of the quotient's ones, a zero, k bits of the gap, then rank - 1 ones and a zero.
      acc = (acc << width) | (((((1 << quotient) - 1) << (1 + k)) | (gap & low)) << rank) | (((1 << (rank - 1)) - 1) << 1);
      pending += width;
      // The whole bytes out with no loop: three stored whatever, `len` moved by those that count
      // (the others are written over next; a shift by a negative count only makes such a byte).
      out[len] = acc >>> (pending - 8);
      out[len + 1] = acc >>> (pending - 16);
      out[len + 2] = acc >>> (pending - 24);
      len += pending >>> 3;
      pending &= 7;
      acc &= (1 << pending) - 1;
      continue;
    }
    // A long quotient or a high rank: piece by piece. A gap past the registers is a bug (an entry at or before the
    // previous register makes it ~2^32): refused, where coding its unary quotient bit by bit ran for minutes.
    if (gap >= REGISTERS || gap < 0) throw new RangeError(`rice codes: register ${register} after ${register - gap - 1} is out of order`);
    bits.acc = acc;
    bits.pending = pending;
    bits.len = len;
    putUnary(quotient);
    putBits(gap & low, k);
    putUnary(rank - 1);
    ({ acc, pending, len } = bits);
  }
  bits.acc = acc;
  bits.pending = pending;
  bits.len = len;
}

/** Bytes a source of copyBits must hold past the last bit it copies (it reads ahead; their values do not matter). */
export const COPY_READ_AHEAD = 3;

/** riceOut's bytes as big-endian words for copyBits (one view, made once). */
const outView = new DataView(riceOut.buffer, riceOut.byteOffset, riceOut.byteLength);

/**
 * Appends `count` bits of `source` from its bit `from` (most significant
 * first); `view` is a DataView of `source`'s bytes. Where the source's bit
 * and the writer's fall at the same place in a byte, the whole bytes between
 * are copied as bytes; otherwise 32 bits at a time, read and written as
 * big-endian words (three bytes at a time with a load and a store per byte
 * took twice as long: ~1 ns a byte, the most of writing a hot dense sketch
 * after its codes kept, see kept-sketch-codes.ts).
 */
export function copyBits(source: Uint8Array, view: DataView, from: number, count: number): void {
  const shift = from & 7;
  if (shift === bits.pending && count >= ALIGNED_COPY_MIN_BITS) {
    copyAligned(source, from, count);
    return;
  }
  const out = outView;
  let { acc, len } = bits;
  const { pending } = bits;
  let at = from >>> 3;
  const back = 8 - shift;
  const mask = (1 << pending) - 1;
  for (; count >= 32; count -= 32) {
    // 32 bits of the source from bit `shift` of byte `at` (with `shift` 0 the fifth byte shifts out to nothing).
    const word = (view.getUint32(at) << shift) | (source[at + 4]! >>> back);
    at += 4;
    // The bits pending, then the word's first 32 - pending (acc is 0 with none pending, and << 32 shifts by 0).
    out.setUint32(len, (acc << (32 - pending)) | (word >>> pending));
    len += 4;
    acc = word & mask;
  }
  bits.acc = acc;
  bits.len = len;
  for (; count >= 8; count -= 8) {
    putBits(((source[at]! << shift) | (source[at + 1]! >>> back)) & 0xff, 8);
    at++;
  }
  if (count > 0) putBits((((source[at]! << shift) | (source[at + 1]! >>> back)) & 0xff) >>> (8 - count), count);
}

/** Runs at least this long are copied as bytes when aligned (below it, subarray's object costs more than it saves). */
const ALIGNED_COPY_MIN_BITS = 256;

/** copyBits where the source's bit `from` falls where the writer's next bit does in a byte: the byte begun finished, then whole bytes copied. */
function copyAligned(source: Uint8Array, from: number, count: number): void {
  let at = from >>> 3;
  const shift = from & 7;
  if (shift > 0) {
    // The rest of the byte begun (its low 8 - shift bits, which putBits keeps) completes the writer's pending byte.
    putBits(source[at]!, 8 - shift);
    count -= 8 - shift;
    at++;
  }
  const whole = count >>> 3;
  riceOut.set(source.subarray(at, at + whole), bits.len);
  bits.len += whole;
  at += whole;
  count &= 7;
  if (count > 0) putBits(source[at]! >>> (8 - count), count);
}

/** The low `width` bits of `value` (at most CODE_WORD_BITS). */
function putBits(value: number, width: number): void {
  let acc = (bits.acc << width) | (value & ((1 << width) - 1));
  let pending = bits.pending + width;
  while (pending >= 8) {
    pending -= 8;
    riceOut[bits.len++] = acc >>> pending;
  }
  bits.acc = acc & ((1 << pending) - 1);
  bits.pending = pending;
}

/** `count` ones, then a zero. */
function putUnary(count: number): void {
  for (; count >= CODE_WORD_BITS; count -= CODE_WORD_BITS) putBits((1 << CODE_WORD_BITS) - 1, CODE_WORD_BITS);
  putBits(((1 << count) - 1) << 1, count + 1);
}
