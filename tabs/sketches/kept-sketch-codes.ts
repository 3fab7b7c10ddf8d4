// A dense distinct sketch's Rice codes kept from its last write, so that
// the next write codes again only what changed. A hot Tab record's sketches
// (its current buckets and `all`, thousands of registers set each) are
// written at every checkpoint while a second's events raise a few dozen of
// their registers: coding all of them again took ~15 % of a worker late in a
// taba-full run (a profile at ed66fa5). A dense sketch's registers are cut
// in chunks of 64; a write copies a clean chunk's codes from the last write
// bit for bit (the stored bytes are the same as coding every entry again),
// and codes a chunk again when one of its registers was raised, when the set
// register before it moved, or when the parameter k changed. A sparse list
// is coded whole at every write: a long one is held coded already
// (coded-sparse.ts), and a short one's codes are a few hundred bytes. The
// codes live beside the sketch in a WeakMap, so a sketch dropped takes them
// with it and one never written has none.
import * as layout from './register-layout';
import * as riceCodes from './rice-code-writer';

// Module-local copies of what is imported from the sketch's own modules: hot
// loops use them at every step, and run by the tsx command (the bench tools)
// an imported binding was read through a getter, ~15 % of a dense sketch's
// write in a microbenchmark's profile (a worker's profile shows no getters).
const { RANK_BITS, REGISTERS } = layout;
const { codeBits, COPY_READ_AHEAD, copyBits, finishCodes, putEntries, RICE_WRITE_LIMIT, riceK, riceOut, startCodes } = riceCodes;

const CHUNK_SHIFT = 6;
const CHUNKS = REGISTERS >>> CHUNK_SHIFT;
/** Words of four registers in a chunk. */
const CHUNK_WORDS = (1 << CHUNK_SHIFT) / 4;

/** What the last write of a dense sketch coded, chunk by chunk. */
interface KeptCodes {
  /** The Rice parameter they were coded with, how many entries, and their length in bytes. */
  k: number;
  count: number;
  bytes: number;
  /** The codes, with COPY_READ_AHEAD bytes more (copyBits reads ahead), and a view of them for copyBits. */
  codes: Uint8Array;
  view: DataView;
  /** A bit per chunk of 64 registers raised since. */
  dirty: Uint32Array;
  /** Where each chunk's codes begin, in bits; the last is where they end. */
  starts: Uint32Array;
  /** Entries in each chunk. */
  counts: Uint16Array;
  /** Each chunk's last set register, -1 in a chunk with none. */
  last: Int16Array;
  /** The set register each chunk's first gap was counted from (-1: none before it). */
  previous: Int16Array;
  /** When unraisedForMs first found the sketch unraised since a write that found a raise (Date.now()); 0: not yet. */
  cleanSince: number;
}

const kept = new WeakMap<Uint8Array, KeptCodes>();

/** Notes that a register of `sketch` was raised (its chunk is coded again). Call it for every raise of a dense sketch's register. */
export function noteRaised(sketch: Uint8Array, register: number): void {
  const codes = kept.get(sketch);
  if (codes !== undefined) markDirty(codes.dirty, register);
}

/** Marks the chunk of `register` in dirty bits from dirtyChunks. */
export function markDirty(dirty: Uint32Array, register: number): void {
  dirty[register >>> (CHUNK_SHIFT + 5)]! |= 1 << ((register >>> CHUNK_SHIFT) & 31);
}

/** The dirty bits of a dense sketch's kept codes, for a loop that raises many registers (mark as noteRaised does); undefined when none are kept. */
export function dirtyChunks(sketch: Uint8Array): Uint32Array | undefined {
  return kept.get(sketch)?.dirty;
}

/** Drops what is kept of a sketch's codes (its registers changed in a way not noted). */
export function forgetCodes(sketch: Uint8Array): void {
  kept.delete(sketch);
}

/** What the last writeDenseCodes or writeSparseCodes gave: its entry count and k, and its codes, the first `bytes` bytes of `codes` (`bits` of them used; valid until the next write). */
export const writtenCodes = { count: 0, k: 0, bytes: 0, bits: 0, codes: riceOut as Uint8Array };

/**
 * How long, in ms, the writes of a dense sketch have found it unraised,
 * called right after each of its writes: counted from the first call after
 * a write that found a raise (0 then, and when no codes are kept). The
 * clock is read here, not at every write, so only the writers that ask pay
 * for it.
 */
export function unraisedForMs(sketch: Uint8Array): number {
  const held = kept.get(sketch);
  if (held === undefined) return 0;
  const now = Date.now();
  if (held.cleanSince === 0) {
    held.cleanSince = now;
    return 0;
  }
  return now - held.cleanSince;
}

/** Entries listed per chunk for this write: where in `entries`, how many, and whether listed. */
const listedAt = new Uint16Array(CHUNKS);
const listedCount = new Uint16Array(CHUNKS);
const listed = new Uint8Array(CHUNKS);
const entries = new Uint32Array(REGISTERS);
let entriesEnd = 0;

/**
 * Codes a dense sketch's set registers into riceOut (see denseCodes) and
 * keeps the codes for its next write; returns false, keeping nothing, when
 * it has more than RICE_WRITE_LIMIT set (it is stored packed) or none.
 */
export function writeDenseCodes(sketch: Uint8Array): boolean {
  const held = kept.get(sketch);
  // Nothing raised since the last write: its codes as they are.
  if (held !== undefined && isClean(held.dirty)) return giveKept(held);
  const words = wordsOf(sketch);
  if (held !== undefined) {
    const raised = writeRaised(held, words);
    if (raised === WROTE) return giveKept(held);
    if (raised === PAST_LIMIT) {
      kept.delete(sketch);
      return false;
    }
  }
  listed.fill(0);
  entriesEnd = 0;
  // The entry count and the last set register: from the chunks raised, listed now, and the others' counts kept.
  let count = 0;
  let lastChunk = -1;
  const heldDirty = held?.dirty;
  const heldCounts = held?.counts;
  for (let c = 0; c < CHUNKS; c++) {
    if (heldDirty === undefined || (heldDirty[c >>> 5]! & (1 << (c & 31))) !== 0) listChunk(words, c);
    const n = listed[c] === 1 ? listedCount[c]! : heldCounts![c]!;
    if (n > 0) lastChunk = c;
    count += n;
    // Stored packed: no need to count further (a full `all` sketch is written so at every checkpoint).
    if (count > RICE_WRITE_LIMIT) break;
  }
  if (count > RICE_WRITE_LIMIT || count === 0) {
    if (held !== undefined) kept.delete(sketch);
    return false;
  }
  const codes = held ?? newKeptCodes();
  const lastRegister = listed[lastChunk] === 1 ? entries[listedAt[lastChunk]! + listedCount[lastChunk]! - 1]! >>> RANK_BITS : codes.last[lastChunk]!;
  const k = riceK(count, lastRegister);
  const sameK = k === codes.k;
  startCodes();
  let previous = -1;
  const { starts, counts, last } = codes;
  // Clean chunks next to each other are copied as one run of the last codes: from bit `runFrom` to `runTo` there, to `runAt` here.
  let runFrom = 0;
  let runTo = 0;
  let runAt = 0;
  for (let c = 0; c < CHUNKS; c++) {
    const from = starts[c]!;
    const to = starts[c + 1]!;
    const n = listed[c] === 1 ? listedCount[c]! : counts[c]!;
    if (n === 0 || (listed[c] === 0 && sameK && codes.previous[c] === previous)) {
      if (runTo === runFrom) {
        runFrom = from;
        runTo = from;
        runAt = codeBits();
      }
      starts[c] = runAt + (from - runFrom);
      runTo = to;
      if (n === 0) {
        counts[c] = 0;
        last[c] = -1;
      } else {
        previous = last[c]!;
      }
      continue;
    }
    if (runTo > runFrom) copyBits(codes.codes, codes.view, runFrom, runTo - runFrom);
    runFrom = runTo = 0;
    starts[c] = codeBits();
    if (listed[c] === 0) listChunk(words, c);
    const at = listedAt[c]!;
    putEntries(entries, at, at + n, previous, k);
    counts[c] = n;
    last[c] = entries[at + n - 1]! >>> RANK_BITS;
    codes.previous[c] = previous;
    previous = last[c]!;
  }
  if (runTo > runFrom) copyBits(codes.codes, codes.view, runFrom, runTo - runFrom);
  starts[CHUNKS] = codeBits();
  keepWritten(codes, k, count);
  if (held === undefined) kept.set(sketch, codes);
  return giveKept(codes);
}

/** What writeRaised did: wrote the codes, found the sketch past RICE_WRITE_LIMIT (nothing written), or found k changed (the whole walk must code it). */
const WROTE = 0;
const PAST_LIMIT = 1;
const K_CHANGED = 2;
/** The chunks raised since the last write, ascending (writeRaised). */
const raisedChunks = new Uint16Array(CHUNKS);

/**
 * A write of kept codes that walks only the chunks raised since, not all
 * 256: the codes between them are copied as runs, and a raised chunk is
 * coded again, with the chunk after it when its first gap moved (the raised
 * chunk's last register did). Returns K_CHANGED, having written nothing,
 * when the entry count or the last register call for another k: then every
 * chunk is coded again by the walk of writeDenseCodes, which reads every
 * chunk's kept figures (a hot Tab record's sketches see a few dozen of 256
 * raised in a second). With copyBits a word at a time, a dense sketch's
 * write after a few dozen raises went from ~12-14 to ~9-12 µs, after 4 from
 * ~5.5-6.7 to ~2.5-3.1 (bench/sketch-rewrite.ts).
 */
function writeRaised(codes: KeptCodes, words: Uint32Array): number {
  const { counts, last, starts, dirty } = codes;
  entriesEnd = 0;
  // The raised chunks listed; the entry count and the last set chunk after them (a chunk's count never drops).
  let m = 0;
  let count = codes.count;
  let lastChunk = CHUNKS - 1;
  while (lastChunk > 0 && counts[lastChunk] === 0) lastChunk--;
  for (let w = 0; w < dirty.length; w++) {
    for (let bits = dirty[w]!; bits !== 0; bits &= bits - 1) {
      const c = (w << 5) + (31 - Math.clz32(bits & -bits));
      listChunk(words, c);
      raisedChunks[m++] = c;
      count += listedCount[c]! - counts[c]!;
      if (listedCount[c]! > 0 && c > lastChunk) lastChunk = c;
    }
  }
  if (count > RICE_WRITE_LIMIT) return PAST_LIMIT;
  const lastRaised = m > 0 && raisedChunks[m - 1] === lastChunk;
  const lastRegister = lastRaised ? entries[listedAt[lastChunk]! + listedCount[lastChunk]! - 1]! >>> RANK_BITS : last[lastChunk]!;
  const k = riceK(count, lastRegister);
  if (k !== codes.k) return K_CHANGED;
  startCodes();
  // Chunks before `next` are written (their starts where they are now); from `next` on they are as last written.
  let next = 0;
  let r = 0;
  let c = m > 0 ? raisedChunks[0]! : CHUNKS;
  while (c < CHUNKS) {
    next = copyRun(codes, next, c);
    // The set register before the chunk: the last of the set chunk before it.
    let p = c - 1;
    while (p >= 0 && counts[p] === 0) p--;
    const previous = p >= 0 ? last[p]! : -1;
    if (r < m && raisedChunks[r] === c) r++;
    // Not raised: a chunk coded again for its first gap alone.
    else listChunk(words, c);
    const at = listedAt[c]!;
    const n = listedCount[c]!;
    starts[c] = codeBits();
    putEntries(entries, at, at + n, previous, k);
    counts[c] = n;
    // (A raised chunk has a register set: n is 0 only were a raise noted that set nothing.)
    last[c] = n > 0 ? entries[at + n - 1]! >>> RANK_BITS : -1;
    codes.previous[c] = previous;
    next = c + 1;
    // The next chunk to code: the next raised one, or before it the next set chunk whose first gap moved.
    const nextRaised = r < m ? raisedChunks[r]! : CHUNKS;
    let after = c + 1;
    while (after < nextRaised && counts[after] === 0) after++;
    c = after < nextRaised && codes.previous[after] !== last[c] ? after : nextRaised;
  }
  copyRun(codes, next, CHUNKS);
  keepWritten(codes, k, count);
  return WROTE;
}

/** Keeps the codes just written (their starts set) for the next write: nothing raised since, the wait for being unraised begun again. */
function keepWritten(codes: KeptCodes, k: number, count: number): void {
  const bytes = finishCodes();
  if (codes.codes.length < bytes + COPY_READ_AHEAD) grow(codes, bytes);
  codes.codes.set(riceOut.subarray(0, bytes));
  codes.k = k;
  codes.count = count;
  codes.bytes = bytes;
  codes.cleanSince = 0;
  codes.dirty.fill(0);
}

/**
 * Copies the last codes of chunks `from` to `to` - 1 (unchanged since) to the
 * writer and moves their starts to where they are now; with `to` CHUNKS,
 * up to the codes' end. Returns `to`.
 */
function copyRun(codes: KeptCodes, from: number, to: number): number {
  const { starts } = codes;
  const oldFrom = starts[from]!;
  const oldTo = starts[to]!;
  const shift = codeBits() - oldFrom;
  if (oldTo > oldFrom) copyBits(codes.codes, codes.view, oldFrom, oldTo - oldFrom);
  if (shift !== 0) for (let i = from; i < to; i++) starts[i] = starts[i]! + shift;
  if (to === CHUNKS) starts[CHUNKS] = oldTo + shift;
  return to;
}

/** A sparse list's codes (its first `count` sorted entries, at least one) into writtenCodes, coded whole, nothing kept. */
export function writeSparseCodes(sparse: ArrayLike<number>, count = sparse.length): void {
  const k = riceK(count, sparse[count - 1]! >>> RANK_BITS);
  startCodes();
  putEntries(sparse, 0, count, -1, k);
  writtenCodes.count = count;
  writtenCodes.k = k;
  writtenCodes.bits = codeBits();
  writtenCodes.bytes = finishCodes();
  // Given from the writer's buffer.
  writtenCodes.codes = riceOut;
}

/** Gives the codes as writtenCodes. */
function giveKept(held: KeptCodes): true {
  writtenCodes.count = held.count;
  writtenCodes.k = held.k;
  writtenCodes.bytes = held.bytes;
  writtenCodes.bits = held.starts[CHUNKS]!;
  writtenCodes.codes = held.codes;
  return true;
}

function isClean(dirty: Uint32Array): boolean {
  for (let i = 0; i < dirty.length; i++) if (dirty[i] !== 0) return false;
  return true;
}

const EMPTY = new Uint8Array(0);

/** Room for `bytes` of codes and the read-ahead, an eighth more for growth. */
function grow(codes: KeptCodes, bytes: number): void {
  codes.codes = new Uint8Array(bytes + COPY_READ_AHEAD + (bytes >>> 3));
  codes.view = new DataView(codes.codes.buffer);
}

function newKeptCodes(): KeptCodes {
  return {
    k: -1,
    count: 0,
    bytes: 0,
    codes: EMPTY,
    view: new DataView(EMPTY.buffer),
    starts: new Uint32Array(CHUNKS + 1),
    counts: new Uint16Array(CHUNKS),
    last: new Int16Array(CHUNKS),
    previous: new Int16Array(CHUNKS),
    dirty: new Uint32Array(CHUNKS / 32),
    cleanSince: 0,
  };
}

/**
 * A chunk's set registers as entries at the end of `entries`, in one walk
 * of its words of four ranks (a zero word skipped), with no branch on a
 * register's rank: each is stored at the list's end, which moves on only
 * when the rank is not 0 ((rank + 63) >>> 6 is 1 for ranks 1-63). Byte by
 * byte with a branch each, the walk took a third more.
 */
function listChunk(words: Uint32Array, c: number): void {
  const start = entriesEnd;
  let n = start;
  for (let w = c * CHUNK_WORDS; w < (c + 1) * CHUNK_WORDS; w++) {
    const four = words[w]!;
    if (four === 0) continue;
    const entry = w * 4 * (1 << RANK_BITS);
    let rank = four & 0xff;
    entries[n] = entry + rank;
    n += (rank + 63) >>> 6;
    rank = (four >>> 8) & 0xff;
    entries[n] = entry + (1 << RANK_BITS) + rank;
    n += (rank + 63) >>> 6;
    rank = (four >>> 16) & 0xff;
    entries[n] = entry + (2 << RANK_BITS) + rank;
    n += (rank + 63) >>> 6;
    rank = four >>> 24;
    entries[n] = entry + (3 << RANK_BITS) + rank;
    n += (rank + 63) >>> 6;
  }
  listedAt[c] = start;
  listedCount[c] = n - start;
  listed[c] = 1;
  entriesEnd = n;
}

/** A dense sketch's registers as words of four ranks, lowest register in the low byte (a copy where they could not be read so in place). */
function wordsOf(sketch: Uint8Array): Uint32Array {
  if (LITTLE_ENDIAN && sketch.byteOffset % 4 === 0) return new Uint32Array(sketch.buffer, sketch.byteOffset, REGISTERS / 4);
  const words = new Uint32Array(REGISTERS / 4);
  for (let w = 0; w < REGISTERS / 4; w++) {
    const i = w * 4;
    words[w] = (sketch[i]! | (sketch[i + 1]! << 8) | (sketch[i + 2]! << 16) | (sketch[i + 3]! << 24)) >>> 0;
  }
  return words;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
