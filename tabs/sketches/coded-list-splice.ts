// Entries merged into a coded sparse list's Rice codes (see RICE in
// distinct-sketch.ts) by splicing: the codes between the entries that
// change are copied bit for bit, and only the new or raised entries, and the
// one original entry after each (its gap is counted from a new register),
// are coded again. The list is walked only up to its last changed entry; the
// rest is copied whole. Decoding the whole list, merging and coding it again
// took ~6 % of a worker at Taba's full shape (a profiled taba-full at
// 47e5c4b), where a write finds a few dozen entries set in a list of
// hundreds. The bytes are those of coding the merged list whole, as long as
// the Rice parameter k stays the same; when the merged list's count or last
// register call for another k, spliceEntries says so and the caller codes
// the list whole.
import * as layout from './register-layout';
import * as keptSketchCodes from './kept-sketch-codes';
import { BEFORE, LIST_CHUNK_SHIFT, LIST_CHUNKS, PREVIOUS, START } from './coded-list-index';
import * as riceCodes from './rice-code-writer';

// Module-local copies of what is imported from the sketch's own modules (see distinct-sketch.ts: read
// through a getter under tsx otherwise).
const { RANK_BITS, RANK_SCALE } = layout;
const { codeBits, copyBits, finishCodes, putEntries, riceK, riceOut, startCodes } = riceCodes;
const { writtenCodes } = keptSketchCodes;

/** What the last spliceEntries found: whether any entry changed, and the merged list's last set register. */
export const splice = { changed: false, last: 0 };

/** One entry decoded by decodeAt: its register, its rank, and the bit after its code. */
const decoded = { register: 0, rank: 0, end: 0 };

/** A view of the codes being spliced, for copyBits (made once a splice). */
let codesView: DataView = new DataView(new ArrayBuffer(0));

/** One entry for putEntries. */
const one = new Uint32Array(1);

/**
 * The list's index (coded-list-index.ts) while a splice moves it to the
 * merged codes, in place, chunk by chunk as the output reaches each: the
 * first `setUpTo` chunks hold the merged codes' figures, the others the
 * original's; `emitted` entries are in the output so far.
 */
let ix: Int32Array | undefined;
let setUpTo = 0;
let emitted = 0;
/** The original codes' first bit (the index counts from it). */
let codesStart = 0;

/**
 * Splices `a` sorted entries of `added` (register·64 + rank, repeats of a
 * register in ascending rank, as a numeric sort leaves them) into the
 * codes of `count` entries, coded with parameter `k`, that lie in `codes`
 * from bit `from` to bit `to`, `last` their last set register. The merged
 * codes are given as writeSparseCodes gives them (writtenCodes, their
 * bytes in the Rice writer's buffer); `splice` tells whether an entry
 * changed and the last register. When none changed, nothing is given.
 * Returns false when the merged list would be coded with another k
 * (nothing is given then either): the caller codes it whole. With the
 * list's `index`, the walk jumps to the chunk of each new entry, and the
 * index is moved to the merged codes (left wrong after a false: the caller
 * makes it again).
 */
export function spliceEntries(
  codes: Uint8Array,
  from: number,
  to: number,
  count: number,
  k: number,
  last: number,
  added: ArrayLike<number>,
  a: number,
  index?: Int32Array,
): boolean {
  startCodes();
  codesView = new DataView(codes.buffer, codes.byteOffset, codes.byteLength);
  ix = index;
  setUpTo = 0;
  emitted = 0;
  codesStart = from;
  // The walk: the original entry at bit `at` is the next not yet passed; `atBase` the register before it; `left` entries from it on.
  let at = from;
  let atBase = -1;
  let left = count;
  // When `decodedAt`, the entry at `at` is decoded: its register, rank and the bit after it.
  let decodedAt = false;
  let curRegister = 0;
  let curRank = 0;
  let curEnd = 0;
  // The walk reads the codes as readRice does (distinct-sketch.ts): a window of the low `avail` bits of `win`, read
  // from byte `next` on, whose first bit is `at` (or, once the entry there is decoded, `curEnd`).
  const endByte = (to + 7) >>> 3;
  let next = from >>> 3;
  let win = 0;
  let avail = 0;
  if ((from & 7) !== 0) {
    win = codes[next++]!;
    avail = 8 - (from & 7);
  }
  // Original codes from bit `copyFrom` up to `at` are not yet in the output; the first of them was coded after register
  // `copyBase`, and `copyLeft` entries are from it on.
  let copyFrom = from;
  let copyBase = -1;
  let copyLeft = count;
  // The last register in the output.
  let outPrev = -1;
  let n = count;
  let changed = false;
  let lastAdded = -1;
  for (let j = 0; j < a; j++) {
    const entry = added[j]!;
    const register = entry >>> RANK_BITS;
    // Of repeats of a register, the last has the highest rank.
    if (j + 1 < a && added[j + 1]! >>> RANK_BITS === register) continue;
    // With an index, straight to the register's chunk when the walk is before it (the entries between are below).
    const chunk = register >>> LIST_CHUNK_SHIFT;
    if (index !== undefined && chunk >= setUpTo && from + index[START + chunk]! > at) {
      at = from + index[START + chunk]!;
      atBase = index[PREVIOUS + chunk]!;
      left = count - index[BEFORE + chunk]!;
      decodedAt = false;
      next = at >>> 3;
      win = 0;
      avail = 0;
      if ((at & 7) !== 0) {
        win = codes[next++]!;
        avail = 8 - (at & 7);
      }
    }
    // Past the original entries below this register.
    while (left > 0) {
      if (!decodedAt) {
        while (avail <= 23 && next < endByte) {
          win = ((win & ((1 << avail) - 1)) << 8) | codes[next++]!;
          avail += 8;
        }
        let used = 0;
        if (avail > 0) {
          // Most entries: the whole code among the bits at hand, read with no loop.
          let top = win << (32 - avail);
          const quotient = Math.clz32(~top);
          if (quotient + 1 + k < avail) {
            top <<= quotient + 1;
            const remainder = k === 0 ? 0 : top >>> (32 - k);
            top <<= k;
            const ones = Math.clz32(~top);
            if (quotient + 1 + k + ones + 1 <= avail) {
              used = quotient + 1 + k + ones + 1;
              curRegister = atBase + 1 + quotient * (1 << k) + remainder;
              curRank = ones + 1;
            }
          }
        }
        if (used > 0) {
          avail -= used;
          curEnd = at + used;
        } else {
          // A long code: decoded from its bit, the window started again after it.
          decodeAt(codes, at, atBase, k);
          curRegister = decoded.register;
          curRank = decoded.rank;
          curEnd = decoded.end;
          next = curEnd >>> 3;
          win = 0;
          avail = 0;
          if ((curEnd & 7) !== 0 && next < endByte) {
            win = codes[next++]!;
            avail = 8 - (curEnd & 7);
          }
        }
        decodedAt = true;
      }
      if (curRegister >= register) break;
      at = curEnd;
      atBase = curRegister;
      left--;
      decodedAt = false;
    }
    const found = left > 0 && curRegister === register;
    if (found && curRank >= (entry & (RANK_SCALE - 1))) continue;
    changed = true;
    lastAdded = register;
    // The original codes before it, then the entry.
    if (at > copyFrom) outPrev = copyOriginal(codes, copyFrom, copyBase, at, atBase, outPrev, k, count - copyLeft, count - left);
    if (index !== undefined) indexEntry(register, outPrev);
    one[0] = entry;
    putEntries(one, 0, 1, outPrev, k);
    outPrev = register;
    if (found) {
      // It replaces the original entry: the codes after it follow the same register as before.
      at = curEnd;
      atBase = register;
      left--;
      decodedAt = false;
    } else {
      n++;
    }
    copyFrom = at;
    copyBase = atBase;
    copyLeft = left;
  }
  splice.changed = changed;
  splice.last = lastAdded > last ? lastAdded : last;
  if (!changed) return true;
  if (riceK(n, splice.last) !== k) return false;
  if (to > copyFrom) copyOriginal(codes, copyFrom, copyBase, to, last, outPrev, k, count - copyLeft, count);
  if (index !== undefined) {
    // The chunks past the last entry: where the codes end.
    const end = codeBits();
    for (; setUpTo <= LIST_CHUNKS; setUpTo++) {
      index[START + setUpTo] = end;
      index[BEFORE + setUpTo] = n;
      index[PREVIOUS + setUpTo] = splice.last;
    }
  }
  writtenCodes.count = n;
  writtenCodes.k = k;
  writtenCodes.bits = codeBits();
  writtenCodes.bytes = finishCodes();
  writtenCodes.codes = riceOut;
  return true;
}

/**
 * Appends the original codes from bit `from` (its first entry coded after
 * register `base`) to bit `to` (`toRegister` the entry ending there) after
 * output register `outPrev`: the first entry coded again when its previous
 * register differs, the rest copied bit for bit. `fromEntry` and `toEntry`
 * are the original entries' numbers at those bits (for the index). Returns
 * the output's last register.
 */
function copyOriginal(codes: Uint8Array, from: number, base: number, to: number, toRegister: number, outPrev: number, k: number, fromEntry: number, toEntry: number): number {
  const runAt = codeBits();
  const runFrom = from;
  if (base !== outPrev) {
    decodeAt(codes, from, base, k);
    one[0] = decoded.register * RANK_SCALE + decoded.rank;
    putEntries(one, 0, 1, outPrev, k);
    from = decoded.end;
  }
  // Where the output stands against the original for the bits copied.
  const shift = codeBits() - from;
  if (to > from) copyBits(codes, codesView, from, to - from);
  if (ix !== undefined) indexRun(runAt, runFrom, to, shift, outPrev, fromEntry, toEntry);
  return toRegister;
}

/** The index's chunks that begin with the entry `register`, coded next after output register `outPrev`. */
function indexEntry(register: number, outPrev: number): void {
  const index = ix!;
  const bit = codeBits();
  for (; setUpTo < LIST_CHUNKS && setUpTo << LIST_CHUNK_SHIFT <= register; setUpTo++) {
    index[START + setUpTo] = bit;
    index[BEFORE + setUpTo] = emitted;
    index[PREVIOUS + setUpTo] = outPrev;
  }
  emitted++;
}

/**
 * The index's chunks that begin within original codes just copied from bit
 * `from` (output bit `runAt`, after output register `outPrev`) to `to`,
 * the bits after the run's first entry moved by `shift`; original entries
 * `fromEntry` to `toEntry`.
 */
function indexRun(runAt: number, from: number, to: number, shift: number, outPrev: number, fromEntry: number, toEntry: number): void {
  const index = ix!;
  for (; setUpTo < LIST_CHUNKS; setUpTo++) {
    const start = codesStart + index[START + setUpTo]!;
    if (start >= to) break;
    if (start === from) {
      // The run's first entry begins the chunk (coded again, maybe, after another register).
      index[START + setUpTo] = runAt;
      index[PREVIOUS + setUpTo] = outPrev;
    } else {
      index[START + setUpTo] = start + shift;
    }
    index[BEFORE + setUpTo] = emitted + index[BEFORE + setUpTo]! - fromEntry;
  }
  emitted += toEntry - fromEntry;
}

/** Decodes the entry whose code starts at bit `bit` (coded after register `previous`, with parameter k) into `decoded`. */
function decodeAt(codes: Uint8Array, bit: number, previous: number, k: number): void {
  const word = bitsAt(codes, bit);
  let quotient = Math.clz32(~word);
  if (quotient + 1 + k < 32) {
    // Most entries: the whole code in one word of 32 bits.
    const rest = word << (quotient + 1);
    const remainder = k === 0 ? 0 : rest >>> (32 - k);
    const ones = Math.clz32(~(rest << k));
    if (quotient + 1 + k + ones + 1 <= 32) {
      decoded.register = previous + 1 + quotient * (1 << k) + remainder;
      decoded.rank = ones + 1;
      decoded.end = bit + quotient + 1 + k + ones + 1;
      return;
    }
  }
  // A long quotient or a high rank: 32 bits at a time.
  quotient = 0;
  for (;;) {
    const ones = Math.clz32(~bitsAt(codes, bit));
    quotient += ones;
    bit += ones;
    if (ones < 32) break;
  }
  bit++;
  const remainder = k === 0 ? 0 : bitsAt(codes, bit) >>> (32 - k);
  bit += k;
  let rank = 1;
  for (;;) {
    const ones = Math.clz32(~bitsAt(codes, bit));
    rank += ones;
    bit += ones;
    if (ones < 32) break;
  }
  decoded.register = previous + 1 + quotient * (1 << k) + remainder;
  decoded.rank = rank;
  decoded.end = bit + 1;
}

/** The 32 bits of `codes` from bit `bit` on, most significant first (zeros past the end). */
function bitsAt(codes: Uint8Array, bit: number): number {
  const i = bit >>> 3;
  const shift = bit & 7;
  if (i + 4 < codes.length) {
    return (((codes[i]! << 24) | (codes[i + 1]! << 16) | (codes[i + 2]! << 8) | codes[i + 3]!) << shift) | (codes[i + 4]! >>> (8 - shift));
  }
  // Near the end: the bytes there, zeros after (the fifth byte is past the end). A loop, not a helper closing over
  // `codes` and `i`: such a closure made every call allocate a context for them (2 % of a worker's allocations).
  let word = 0;
  for (let o = 0; o < 4; o++) word = (word << 8) | (i + o < codes.length ? codes[i + o]! : 0);
  return word << shift;
}
