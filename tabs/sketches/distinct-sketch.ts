// A HyperLogLog distinct counter at precision 14 (16384 registers, standard
// error 1.04/√16384 ≈ 0.81 %): murmur3 x86 128 of a value picks the register
// and rank, and the estimator reads the registers, both as the `hyperloglog`
// package (with the native `murmurhash3`) did when sketches were first
// stored, so stored sketches read back the same (see murmur3-x86-128.ts and
// hyperloglog-estimate.ts).
// Registers are kept here as plain data: sparse while few are set (the sorted
// entries as one array of numbers, grown as entries come; from
// CODED_MIN_ENTRIES on, held coded, see coded-sparse.ts),
// then dense (one byte per register), so the many small per-bucket sketches
// of a quiet Tab stay small and hold nothing for the collector to trace. A
// new entry grows the sparse list in place (a merge too); past SPARSE_LIMIT
// entries it becomes the dense array, so the functions that can add one
// return the sketch to keep. Adding a value twice changes nothing,
// and merging is a register-wise max: associative, commutative, idempotent.
import { hyperLogLogEstimate, linearCounting } from './hyperloglog-estimate';
import { murmur3x86128 } from './murmur3-x86-128';
import * as keptSketchCodes from './kept-sketch-codes';
import * as layout from './register-layout';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { CodedSparse } from './coded-sparse';
import * as codedListSplice from './coded-list-splice';
import { listIndexOf } from './coded-list-index';
import * as riceCodes from './rice-code-writer';

// Module-local copies of what is imported from the sketch's own modules: hot
// loops use them at every step, and run by the tsx command (the bench tools)
// an imported binding was read through a getter, ~15 % of a dense sketch's
// write in a microbenchmark's profile (a worker's profile shows no getters).
const { MAX_RANK, MAX_RICE_K, PRECISION, RANK_BITS, RANK_SCALE, REGISTERS } = layout;
const { writtenCodes, dirtyChunks, forgetCodes, markDirty, noteRaised, unraisedForMs, writeDenseCodes, writeSparseCodes } = keptSketchCodes;
const { splice, spliceEntries } = codedListSplice;
const { RICE_WRITE_LIMIT, riceK } = riceCodes;

export { PRECISION, REGISTERS } from './register-layout';
/** The estimator's standard error. */
export const STANDARD_ERROR = 1.04 / Math.sqrt(REGISTERS);
/** Past this many set registers the sparse list costs more memory than the dense array. */
const SPARSE_LIMIT = 2048;
/**
 * A sparse source this many times shorter than its sparse target is first
 * tried entry by entry (see distinctMergeInto); a longer one goes straight to
 * one linear pass (mergeSparse), which walks the whole target whatever the
 * source brings.
 */
const FEW_ENTRIES_RATIO = 16;
// The native hash read a C string, so a NUL would have cut the value short:
// such values have always been hashed in an escaped form (\uffff is a
// non-character, and JSON writes a NUL as \u0000), and still are, so that
// their registers stay where stored sketches have them.
const NUL_ESCAPE = '\uffff';

/** Sorted `register·64 + rank` entries while sparse (coded once long); one rank per register once dense. */
export type DistinctSketch = number[] | Uint8Array | CodedSparse;

/**
 * A sparse list this long is held coded (CodedSparse): from here on its
 * codes are shorter than the array by ~7 times, and a long list is what a
 * Tab record's buckets hold. Shorter lists stay arrays: their codes would
 * cost more in the typed array's own header than they save.
 */
const CODED_MIN_ENTRIES = 256;

export function newDistinct(): DistinctSketch {
  return [];
}

/**
 * A value's register and rank as one number (register·64 + rank): hash once
 * per event, then add the entry to every window bucket's sketch.
 */
export function distinctEntry(value: string): number {
  murmur3x86128(value.includes('\0') ? NUL_ESCAPE + JSON.stringify(value) : value, hashWords);
  return entryOf(hashWords);
}

/**
 * The same register and rank rule as hyperloglog's add(): the top bits of the
 * first word pick the register; trailing zeros of words 3 then 2, plus one, the rank.
 */
function entryOf(hash: ArrayLike<number>): number {
  const register = hash[0]! >>> (32 - PRECISION);
  let rank: number;
  if (hash[3] !== 0) rank = 1 + trailingZeros(hash[3]!);
  else if (hash[2] !== 0) rank = 33 + trailingZeros(hash[2]!);
  else rank = MAX_RANK;
  return register * RANK_SCALE + Math.min(rank, MAX_RANK);
}

const hashWords = new Uint32Array(4);

/** Adds an entry (see distinctEntry); returns the sketch to keep. */
export function distinctAddEntry(sketch: DistinctSketch, entry: number): DistinctSketch {
  return setRegister(sketch, entry >>> RANK_BITS, entry & (RANK_SCALE - 1));
}

/** Adds a value; returns the sketch to keep. */
export function distinctAdd(sketch: DistinctSketch, value: string): DistinctSketch {
  return distinctAddEntry(sketch, distinctEntry(value));
}

function trailingZeros(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function setRegister(sketch: DistinctSketch, register: number, rank: number): DistinctSketch {
  if (sketch instanceof CodedSparse) return addCoded(sketch, register * RANK_SCALE + rank);
  if (!Array.isArray(sketch)) {
    if (rank > sketch[register]) {
      sketch[register] = rank;
      noteRaised(sketch, register);
    }
    return sketch;
  }
  const lo = firstAtOrAbove(sketch, register);
  if (lo < sketch.length && sketch[lo] >>> RANK_BITS === register) {
    if (rank > (sketch[lo] & (RANK_SCALE - 1))) {
      sketch[lo] = register * RANK_SCALE + rank;
    }
    return sketch;
  }
  if (sketch.length >= SPARSE_LIMIT) return setRegister(toDense(sketch), register, rank);
  // In place, the entries after `lo` moved up by a plain loop (as quantile-sketch.ts's withPair: splice is slower).
  sketch.push(0);
  for (let i = sketch.length - 2; i >= lo; i--) sketch[i + 1] = sketch[i]!;
  sketch[lo] = register * RANK_SCALE + rank;
  return sketch.length >= CODED_MIN_ENTRIES ? codedOf(sketch, sketch.length) : sketch;
}

/**
 * Sets an entry in a coded sketch: kept aside until a quarter as many as it
 * holds are (64 at least), then merged into its codes at once, a decode and
 * a code of the whole list; past the sparse limit, the sketch goes dense.
 * Set aside, its entries stay within MIN_ADDED of the limit, so a write or a
 * count, which merge them in place (a sketch they cannot replace), never
 * leave it further past the limit than that (the next entry set makes it
 * dense): its codes stay within what the Rice form is written for, and its
 * estimate the sparse one (a quarter of the registers).
 */
function addCoded(sketch: CodedSparse, entry: number): DistinctSketch {
  if (sketch.count > SPARSE_LIMIT) return setRegister(toDense(sketch), entry >>> RANK_BITS, entry & (RANK_SCALE - 1));
  sketch.added.push(entry);
  const waiting = sketch.added.length;
  if (waiting <= Math.max(MIN_ADDED, sketch.count >>> 2) && sketch.count + waiting <= SPARSE_LIMIT + MIN_ADDED) return sketch;
  settle(sketch);
  return sketch.count > SPARSE_LIMIT ? toDense(sketch) : sketch;
}

/** Entries a coded sketch keeps aside at least before it merges them into its codes. */
const MIN_ADDED = 64;
/** Entries set aside are spliced into a coded sketch's codes (see settle) while at most this share of its entries: 1/8. */
const SPLICE_MAX_SHARE = 8;
/**
 * A list this long is indexed when spliced: every coded list (a list of 400
 * entries written after 4 new ones took 3.9 µs walked, 2.3 indexed). The
 * index (~780 B) is dropped when the list's bucket is written closed.
 */
const INDEXED_MIN_ENTRIES = CODED_MIN_ENTRIES;

/** A coded sketch of the first `n` sorted entries of `entries`. */
function codedOf(entries: ArrayLike<number>, n: number): CodedSparse {
  const sketch = new CodedSparse(EMPTY_CODES, 0, -1, 0);
  recode(sketch, entries, n);
  return sketch;
}

/** The sketch's codes made again from the first `n` sorted entries of `entries` (the entries set aside merged in them). */
function recode(sketch: CodedSparse, entries: ArrayLike<number>, n: number): void {
  // Its stored form, as writeDistinct writes a list of these entries.
  writeSparseCodes(entries, n);
  // An index kept follows the new codes.
  if (sketch.index !== undefined) listIndexOf(entries, n, writtenCodes.k, sketch.index);
  keepCodes(sketch, entries[n - 1]! >>> RANK_BITS);
}

/** What writeSparseCodes or spliceEntries just gave as the sketch's codes, `last` their last set register; nothing set aside any more. */
function keepCodes(sketch: CodedSparse, last: number): void {
  codedWriter.reset();
  writeKeptCodes(codedWriter);
  sketch.stored = codedWriter.copyTo(storedRoom(sketch.stored, codedWriter.length));
  sketch.count = writtenCodes.count;
  sketch.bits = writtenCodes.bits;
  sketch.last = last;
  sketch.added.length = 0;
}

/**
 * Where a coded sketch's new stored form of `length` bytes goes: a view at
 * the start of its old form's buffer when that has room (the old form is
 * read no more: the splice or the decode has read it), else a new buffer an
 * eighth larger than asked. A hot bucket's list, merged at every write of
 * its record, got a buffer of its own each time (~0.7 % of a worker at
 * Taba's full shape, and a backing store for the collector to sweep); a
 * list read back, or held from a dense sketch, has none to spare until it
 * first takes entries.
 */
function storedRoom(old: Uint8Array, length: number): Uint8Array {
  // Only a buffer made here is written over: a sketch's stored bytes may have come from elsewhere.
  if (ownRooms.has(old.buffer) && old.buffer.byteLength >= length) return new Uint8Array(old.buffer, 0, length);
  const room = new ArrayBuffer(length + (length >>> 3) + 16);
  ownRooms.add(room);
  return new Uint8Array(room, 0, length);
}

/** The buffers storedRoom made (each held by one sketch: a clone copies its bytes). */
const ownRooms = new WeakSet<ArrayBufferLike>();

/**
 * The coded sketch's entries set aside merged into its codes (the sketch is
 * unchanged in value: a write or a count reads the codes alone): spliced in
 * (coded-list-splice.ts), or, where the list's Rice parameter changes, the
 * whole list decoded, merged and coded again.
 */
function settle(sketch: CodedSparse): void {
  const a = sketch.added.length;
  if (a === 0) return;
  // Spliced while few are set aside (a write's, a checkpoint after the last): the walk to the last of them costs about
  // what decoding does, and each a re-coding; many (the merge of a quarter as many, see addCoded) are merged whole.
  if (a * SPLICE_MAX_SHARE <= sketch.count) {
    for (let j = 0; j < a; j++) aside[j] = sketch.added[j]!;
    const added = aside.subarray(0, a).sort();
    const { stored } = sketch;
    const reader = new ByteReader(stored, 'distinct sketch');
    const form = reader.u8();
    reader.varuint();
    const k = form >= SIZED_RICE ? form - SIZED_RICE : form - RICE;
    if (form >= SIZED_RICE) reader.varuint();
    const from = reader.offset * 8;
    // A long list written again (a write finds entries set since): indexed, so the splice walks only the chunks
    // that take entries (coded-list-index.ts); made from a decode of its codes, once.
    if (sketch.index === undefined && sketch.count >= INDEXED_MIN_ENTRIES) {
      const codes = new ByteReader(stored, 'distinct sketch');
      sketch.index = listIndexOf(scratch, readEntries(codes, codes.u8()), k);
    }
    if (spliceEntries(stored, from, from + sketch.bits, sketch.count, k, sketch.last, added, a, sketch.index)) {
      if (splice.changed) keepCodes(sketch, splice.last);
      else sketch.added.length = 0;
      return;
    }
  }
  recode(sketch, merged, codedEntries(sketch, merged));
}

/**
 * A coded sketch's entries, its codes' and those set aside, sorted, one per
 * register at its highest rank, into `out` (not the scratch, which the
 * codes are read into); returns how many. The sketch is left as it is.
 */
function codedEntries(sketch: CodedSparse, out: Uint32Array): number {
  const reader = new ByteReader(sketch.stored, 'distinct sketch');
  const n = readEntries(reader, reader.u8());
  const a = sketch.added.length;
  for (let j = 0; j < a; j++) aside[j] = sketch.added[j]!;
  const added = aside.subarray(0, a).sort();
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < n || j < a) {
    // The next entry by register (of the same register, the higher rank is the larger number).
    const entry = j >= a || (i < n && scratch[i]! <= added[j]!) ? scratch[i++]! : added[j++]!;
    if (k > 0 && out[k - 1]! >>> RANK_BITS === entry >>> RANK_BITS) {
      if (entry > out[k - 1]!) out[k - 1] = entry;
    } else {
      out[k++] = entry;
    }
  }
  return k;
}

/** Where `register`'s entry is in a sparse sketch, or would go. */
function firstAtOrAbove(sparse: readonly number[], register: number): number {
  let lo = 0;
  let hi = sparse.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sparse[mid]! >>> RANK_BITS < register) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Registers from the first `count` sorted entries of `sparse` (all of them unless said), or of a coded sketch. */
function toDense(sparse: ArrayLike<number> | CodedSparse, count?: number): Uint8Array {
  if (sparse instanceof CodedSparse) {
    if (sparse.added.length > 0) return toDense(merged, codedEntries(sparse, merged));
    // Its codes alone (one read back coded, raised): decoded straight into the registers.
    const dense = new Uint8Array(REGISTERS);
    const reader = new ByteReader(sparse.stored, 'distinct sketch');
    readEntries(reader, reader.u8(), dense);
    return dense;
  }
  count ??= sparse.length;
  const dense = new Uint8Array(REGISTERS);
  for (let i = 0; i < count; i++) dense[sparse[i]! >>> RANK_BITS] = sparse[i]! & (RANK_SCALE - 1);
  return dense;
}

/** Register-wise max of `source` into `target`; returns the target to keep. */
export function distinctMergeInto(target: DistinctSketch, source: DistinctSketch): DistinctSketch {
  // A coded source is read into a list of its own (it stays as it is).
  if (source instanceof CodedSparse) return mergeEntries(target, sourceEntries, codedEntries(source, sourceEntries));
  if (!Array.isArray(source)) {
    const dense = target instanceof Uint8Array ? target : toDense(target);
    const dirty = dirtyChunks(dense);
    for (let i = 0; i < REGISTERS; i++) {
      if (source[i] > dense[i]) {
        dense[i] = source[i];
        // As noteRaised does, with the codes looked up once.
        if (dirty !== undefined) markDirty(dirty, i);
      }
    }
    return dense;
  }
  return mergeEntries(target, source, source.length);
}

/** Merges the first `m` sorted entries of `source` into `target`; returns the target to keep. */
function mergeEntries(target: DistinctSketch, source: ArrayLike<number>, m: number): DistinctSketch {
  if (m === 0) return target;
  if (!Array.isArray(target)) {
    // Dense, or coded (its entries set aside until it merges them; it may go dense on the way).
    let kept: DistinctSketch = target;
    for (let j = 0; j < m; j++) kept = setRegister(kept, source[j]! >>> RANK_BITS, source[j]! & (RANK_SCALE - 1));
    return kept;
  }
  if (m * FEW_ENTRIES_RATIO <= target.length) {
    // Entry by entry, a binary search each, while the target has the entry's register (a
    // record merging a client's entry or two, mostly registers it has): at the first it
    // lacks, the linear pass takes the rest, as inserting would move the target's tail.
    for (let j = 0; j < m; j++) {
      const entry = source[j]!;
      const at = firstAtOrAbove(target, entry >>> RANK_BITS);
      if (at === target.length || target[at]! >>> RANK_BITS !== entry >>> RANK_BITS) return mergeSparse(target, source, j, m);
      if (entry > target[at]!) target[at] = entry;
    }
    return target;
  }
  return mergeSparse(target, source, 0, m);
}

/**
 * Two sparse sketches merged in one pass over both sorted lists (the source's
 * from its entry `from`; the higher rank kept where both set a register), front to back into the scratch
 * registers, then copied back over the target, which keeps its array.
 * Linear, where inserting the source's entries one by one moves the
 * target's tail for each; and no new array, where a merged copy made a Tab
 * record's whole list again (up to 2,048 entries) for every client batch
 * folded into it, in each window. Plain indexed loops only: an earlier
 * in-place merge from the back closed its gap with Array.copyWithin, which
 * V8 runs element by element through its generic path (~19 ns an element
 * against ~2 here, in a micro-benchmark of record-sized merges).
 */
function mergeSparse(target: number[], source: ArrayLike<number>, from: number, m: number): DistinctSketch {
  const n = target.length;
  let i = 0;
  let j = from;
  let k = 0;
  while (i < n && j < m) {
    const a = target[i]!;
    const b = source[j]!;
    const ra = a >>> RANK_BITS;
    const rb = b >>> RANK_BITS;
    if (ra < rb) {
      scratch[k++] = a;
      i++;
    } else if (rb < ra) {
      scratch[k++] = b;
      j++;
    } else {
      // Same register: the entry with the higher rank is the larger number.
      scratch[k++] = a > b ? a : b;
      i++;
      j++;
    }
  }
  while (i < n) scratch[k++] = target[i++]!;
  while (j < m) scratch[k++] = source[j++]!;
  if (k > SPARSE_LIMIT) return toDense(scratch, k);
  if (k >= CODED_MIN_ENTRIES) return codedOf(scratch, k);
  for (let e = 0; e < n && e < k; e++) target[e] = scratch[e]!;
  for (let e = n; e < k; e++) target.push(scratch[e]!);
  return target;
}

/** The sketch's entries (register·64 + rank), sorted, one per set register, whatever its form (for tests and tools). */
export function distinctEntries(sketch: DistinctSketch): number[] {
  if (sketch instanceof CodedSparse) return Array.from(merged.subarray(0, codedEntries(sketch, merged)));
  if (Array.isArray(sketch)) return sketch.slice();
  const entries: number[] = [];
  for (let r = 0; r < REGISTERS; r++) if (sketch[r] !== 0) entries.push(r * RANK_SCALE + sketch[r]!);
  return entries;
}

export function cloneDistinct(sketch: DistinctSketch): DistinctSketch {
  return sketch instanceof CodedSparse ? sketch.clone() : sketch.slice();
}

export function isDistinctEmpty(sketch: DistinctSketch): boolean {
  return Array.isArray(sketch) && sketch.length === 0;
}

/** The estimated number of distinct values. */
export function distinctCount(sketch: DistinctSketch): number {
  if (isDistinctEmpty(sketch)) return 0;
  if (sketch instanceof CodedSparse) {
    // Set aside entries merged first (within MIN_ADDED of the sparse limit, see addCoded). One read coded past the
    // sparse limit (see readDistinct) holds at most RICE_WRITE_LIMIT entries, half the registers: with half of them
    // zero, Σ2^-r ≥ m/2 and the raw estimate stays under 1.45·m, so the estimator takes linear counting there too.
    settle(sketch);
    return sparseEstimate(sketch.count);
  }
  if (Array.isArray(sketch) && sketch.length <= REGISTERS / 4) return sparseEstimate(sketch.length);
  return hyperLogLogEstimate(Array.isArray(sketch) ? toDense(sketch) : sketch);
}

/**
 * distinctCount of the sketch these dense registers hold, `set` of them
 * non-zero: the same branches, so the same bits (readDistinctInto counts `set`).
 */
export function distinctCountOfRegisters(registers: Uint8Array, set: number): number {
  if (set === 0) return 0;
  if (set <= REGISTERS / 4) return sparseEstimate(set);
  return hyperLogLogEstimate(registers);
}

/**
 * The estimate of a sketch with `set` registers set, at most a quarter of
 * them: at least 3/4 of the registers are zero, so Σ2^-r ≥ 0.75·m and the raw
 * estimate α·m²/Σ2^-r stays under 0.97·m, below the 2.5·m where the estimator
 * switches: it takes linear counting, m·ln(m/zeros), which depends on the
 * zero count alone: the same function hyperLogLogEstimate calls, so the
 * same bits, without making the 16 KiB of dense registers to sum them.
 */
function sparseEstimate(set: number): number {
  return linearCounting(REGISTERS, REGISTERS - set);
}

// Serialized as a form byte: 0 empty, 16 + k sparse (count, then the entries
// Rice-coded with parameter k), 32 + k the same with the codes' length in
// bytes after the count (256 entries or more), 2 dense (registers packed 6
// bits each, 12 KiB), and 1, sparse with varuint gaps, read from states
// written before.
const EMPTY = 0;
/** Entries as varuint gaps: written up to format v1, still read. */
const SPARSE = 1;
const DENSE = 2;
/**
 * Entries as Golomb-Rice codes (format v2 on): per entry, the gap to the
 * previous set register (unary quotient, then k bits), then the rank - 1 in
 * unary (ranks are geometric: half are 1). The form byte is RICE + k. About
 * 9 bits an entry for 500 registers set, where varuint gaps of register·64 +
 * rank took 16-24: a Tab record of Taba's shape (300 clients) 4.4 -> 2.5 KB.
 */
const RICE = 16;
/**
 * The same Rice codes with their length in bytes after the entry count
 * (format v3 on), written for sketches of SIZED_MIN_ENTRIES entries or more:
 * a query steps over a bucket outside its window without decoding it, and
 * takes a window that is one such sketch from its entry count alone
 * (sizedEntries). The form byte is SIZED_RICE + k.
 */
const SIZED_RICE = 32;
/** Smaller sketches keep the RICE form: decoding them costs little, and a length byte would add to every small cell. */
const SIZED_MIN_ENTRIES = 256;
const PACKED_BYTES = (REGISTERS * RANK_BITS) / 8;

/**
 * A dense sketch left unraised this long, by the writes since, is held as
 * its codes after its next write by writeDistinctHeld, which the unique
 * cell calls for closed buckets only: a Tab record's closed buckets then
 * keep ~4 bits an entry where their registers took 16 KiB, and their kept
 * codes as much again. A sketch raised again makes its registers anew (a
 * decode of its codes) and codes them whole at its next write: a newest
 * bucket, or the all-time one, raised now and then by a value not seen
 * before, would go back and forth; a closed one is raised only by late
 * events, mostly within seconds of its close, which the wait lets by.
 */
export const DENSE_HELD_CODED_AFTER_MS = 30_000;

/**
 * writeDistinct, returning the sketch to hold after the write: the same
 * one, or, for a dense sketch unraised for DENSE_HELD_CODED_AFTER_MS and
 * written Rice-coded, a coded one of its codes (the same value and bytes).
 */
export function writeDistinctHeld(writer: ByteWriter, sketch: DistinctSketch | undefined): DistinctSketch | undefined {
  writeDistinct(writer, sketch);
  // A closed bucket's list takes late entries alone: its index goes (a splice without one walks the list).
  if (sketch instanceof CodedSparse) {
    sketch.index = undefined;
    return sketch;
  }
  // Codes are kept only for a dense sketch written Rice-coded (they are what it is held as): packed, it stays registers.
  if (!(sketch instanceof Uint8Array) || unraisedForMs(sketch) < DENSE_HELD_CODED_AFTER_MS) return sketch;
  const held = new CodedSparse(EMPTY_CODES, 0, -1, 0);
  let last = REGISTERS - 1;
  while (sketch[last] === 0) last--;
  keepCodes(held, last);
  return held;
}

export function writeDistinct(writer: ByteWriter, sketch: DistinctSketch | undefined): void {
  if (sketch === undefined || isDistinctEmpty(sketch)) {
    writer.u8(EMPTY);
    return;
  }
  if (sketch instanceof CodedSparse) {
    // Its stored form, with what was set since merged in first: the bytes a list of its entries writes.
    settle(sketch);
    writer.bytes(sketch.stored);
    return;
  }
  if (Array.isArray(sketch)) {
    writeSparseCodes(sketch);
    writeKeptCodes(writer);
    return;
  }
  // Dense: coded again only where raised since its last write (kept-sketch-codes.ts); past the limit, packed.
  if (!writeDenseCodes(sketch)) {
    if (isDenseEmpty(sketch)) writer.u8(EMPTY);
    else writer.u8(DENSE).bytes(pack(sketch));
    return;
  }
  writeKeptCodes(writer);
}

/** What writeDenseCodes or writeSparseCodes just gave: the Rice form's header, then its codes. */
function writeKeptCodes(writer: ByteWriter): void {
  writeRiceHeader(writer, writtenCodes.count, writtenCodes.k, writtenCodes.bytes);
  writer.bytes(writtenCodes.codes.subarray(0, writtenCodes.bytes));
}

function isDenseEmpty(sketch: Uint8Array): boolean {
  for (let i = 0; i < REGISTERS; i++) if (sketch[i] !== 0) return false;
  return true;
}

/** The form byte, the entry count and, for a sized form, the codes' length in bytes. */
function writeRiceHeader(writer: ByteWriter, count: number, k: number, bytes: number): void {
  const sized = count >= SIZED_MIN_ENTRIES;
  writer.u8((sized ? SIZED_RICE : RICE) + k).varuint(count);
  if (sized) writer.varuint(bytes);
}

/**
 * Reads Rice-coded entries (see RICE) into `scratch`; returns how
 * many. With `into`, each entry raises its register there instead (the
 * higher rank kept), and it returns how many registers it set that were
 * zero: a query's window union read in one pass, where a second loop over
 * the scratch took a sixth of the read. The bit window lives in locals and is kept 24 bits deep, so most
 * entries are read with two clz32 and no loop (reading ahead: the whole
 * bytes not used are given back at the end); an entry longer than the
 * window goes through the loops below, the unary one written out twice on
 * purpose. Measured on 200 different Tab records of Taba's shape: ~19 µs a
 * record, against ~17 for the varuint gaps this format replaced; with the
 * window in an object (a BitReader) ~30, and bit by bit ~25 (branches on
 * data that differs from record to record).
 */
function readRice(reader: ByteReader, k: number, sized: boolean, into?: Uint8Array): number {
  const n = reader.varuint();
  let set = 0;
  if (n > REGISTERS) reader.fail('distinct sketch has more entries than registers');
  const length = sized ? reader.varuint() : -1;
  const bytes = reader.source;
  const start = reader.offset;
  // A sized sketch's codes end where its length says: reading past it is refused as truncated.
  if (sized && start + length > bytes.length) reader.fail('truncated');
  const end = sized ? start + length : bytes.length;
  let at = start;
  // Bits read ahead: the low `avail` bits of `win` (at most 31).
  let win = 0;
  let avail = 0;
  const low = (1 << k) - 1;
  let register = -1;
  for (let i = 0; i < n; i++) {
    // Most entries: 24 bits or more at hand (31 at most), the whole entry among them, read with no loop.
    while (avail <= 23 && at < end) {
      win = ((win & ((1 << avail) - 1)) << 8) | bytes[at++]!;
      avail += 8;
    }
    if (avail > 0) {
      // The unread bits at the top of a word; the leading ones of each code counted by clz32 of its complement.
      let top = win << (32 - avail);
      const q = Math.clz32(~top);
      if (q + 1 + k < avail) {
        top <<= q + 1;
        const remainder = k === 0 ? 0 : top >>> (32 - k);
        top <<= k;
        const ones = Math.clz32(~top);
        const used = q + 1 + k + ones + 1;
        if (used <= avail) {
          avail -= used;
          register += 1 + q * (1 << k) + remainder;
          if (register >= REGISTERS || ones >= MAX_RANK) reader.fail('distinct sketch entry out of range');
          if (into === undefined) {
            scratch[i] = register * RANK_SCALE + ones + 1;
          } else {
            // The higher rank kept with no branch on the data; a register that was 0 is counted ((0 - 1) >>> 31 is 1).
            const held = into[register]!;
            into[register] = ones + 1 > held ? ones + 1 : held;
            set += (held - 1) >>> 31;
          }
          continue;
        }
      }
    }
    // The quotient: ones up to a zero.
    let quotient = 0;
    for (;;) {
      if (avail === 0) {
        if (at >= end) reader.fail('truncated');
        win = bytes[at++]!;
        avail = 8;
      }
      const ones = Math.clz32(~(win << (32 - avail)));
      if (ones < avail) {
        quotient += ones;
        avail -= ones + 1;
        break;
      }
      quotient += avail;
      avail = 0;
      if (quotient > REGISTERS) reader.fail('distinct sketch entry out of range');
    }
    while (avail < k) {
      if (at >= end) reader.fail('truncated');
      win = ((win & ((1 << avail) - 1)) << 8) | bytes[at++]!;
      avail += 8;
    }
    avail -= k;
    register += 1 + quotient * (1 << k) + ((win >>> avail) & low);
    // The rank: one more than the ones up to a zero.
    let rank = 1;
    for (;;) {
      if (avail === 0) {
        if (at >= end) reader.fail('truncated');
        win = bytes[at++]!;
        avail = 8;
      }
      const ones = Math.clz32(~(win << (32 - avail)));
      if (ones < avail) {
        rank += ones;
        avail -= ones + 1;
        break;
      }
      rank += avail;
      avail = 0;
      if (rank > MAX_RANK) break;
    }
    if (register >= REGISTERS || rank > MAX_RANK) reader.fail('distinct sketch entry out of range');
    if (into === undefined) scratch[i] = register * RANK_SCALE + rank;
    else set += raise(into, register, rank);
  }
  // Whole bytes read ahead belong to what follows the sketch: given back; what is left of a byte is padding.
  const ahead = avail >>> 3;
  at -= ahead;
  const padding = avail & 7;
  if (padding > 0 && ((win >>> (8 * ahead)) & ((1 << padding) - 1)) !== 0) reader.fail('bit padding is not zero');
  lastCodeBits = (at - start) * 8 - padding;
  if (sized && at - start !== length) reader.fail('distinct sketch codes end before their length');
  reader.skip(at - start);
  return into === undefined ? n : set;
}

export function readDistinct(reader: ByteReader): DistinctSketch | undefined {
  const start = reader.offset;
  const form = reader.u8();
  if (form === EMPTY) return undefined;
  if (form === DENSE) return unpack(reader.bytes(PACKED_BYTES));
  const kept = readEntries(reader, form);
  // Sized Rice codes of 256 entries or more, coded as a write codes them (up to 8,192 entries, its k): held as read,
  // coded, past the sparse limit too (its registers made at the first entry set, see addCoded): a record's buckets
  // closed or quiet keep ~4 bits an entry, not 16 KiB of registers, until raised.
  if (kept >= CODED_MIN_ENTRIES && kept <= RICE_WRITE_LIMIT && isSizedRice(form) && form - SIZED_RICE === riceK(kept, scratch[kept - 1]! >>> RANK_BITS)) {
    return new CodedSparse(reader.copySince(start), kept, scratch[kept - 1]! >>> RANK_BITS, lastCodeBits);
  }
  return sparseOf(kept);
}

/**
 * A sparse form's entries (format 1's varuint gaps, or Rice codes) into the
 * scratch; returns how many. With `into`, each raises its register there
 * instead, and it returns how many registers it set that were zero.
 * Refuses any other form.
 */
function readEntries(reader: ByteReader, form: number, into?: Uint8Array): number {
  if (form >= RICE && form <= RICE + MAX_RICE_K) return readRice(reader, form - RICE, false, into);
  if (isSizedRice(form)) return readRice(reader, form - SIZED_RICE, true, into);
  if (form !== SPARSE) return reader.fail(`unknown distinct sketch form ${form}`);
  const kept = readGaps(reader);
  if (into === undefined) return kept;
  let set = 0;
  for (let i = 0; i < kept; i++) set += raise(into, scratch[i]! >>> RANK_BITS, scratch[i]! & (RANK_SCALE - 1));
  return set;
}

function isSizedRice(form: number): boolean {
  return form >= SIZED_RICE && form <= SIZED_RICE + MAX_RICE_K;
}

/**
 * Reads a stored sketch, as readDistinct does, straight into dense
 * `registers` (each kept at the higher rank), making no sketch; returns how
 * many registers it set that were zero. A query rendering a Tab record
 * estimates each window's union of buckets so (distinctCountOfRegisters),
 * where merging the buckets' sketches made lists only to be counted.
 */
export function readDistinctInto(reader: ByteReader, registers: Uint8Array): number {
  // Raised below without noting it: no codes kept of them stay true.
  forgetCodes(registers);
  const form = reader.u8();
  if (form === EMPTY) return 0;
  let set = 0;
  if (form === DENSE) {
    // Stored dense past 8,192 registers set: rare, so unpacked as readDistinct does.
    const dense = unpack(reader.bytes(PACKED_BYTES));
    for (let i = 0; i < REGISTERS; i++) set += raise(registers, i, dense[i]!);
    return set;
  }
  return readEntries(reader, form, registers);
}

/**
 * How many registers a stored sketch of a sized form sets (its entry count),
 * read past it without decoding its codes (not checked: a worker checks
 * them when it reads the state); undefined, reading nothing, for any other
 * form.
 */
export function sizedEntries(reader: ByteReader): number | undefined {
  const form = reader.source[reader.offset];
  if (form === undefined || !isSizedRice(form)) return undefined;
  reader.u8();
  const n = reader.varuint();
  if (n > REGISTERS) reader.fail('distinct sketch has more entries than registers');
  reader.skip(reader.varuint());
  return n;
}

/** Reads past a stored sketch, checking it as readDistinct does (a sized one only as far as its length), making nothing of it. */
export function skipDistinct(reader: ByteReader): void {
  if (sizedEntries(reader) !== undefined) return;
  const form = reader.u8();
  if (form === EMPTY) return;
  if (form === DENSE) reader.skip(PACKED_BYTES);
  else readEntries(reader, form);
}

/** Keeps the higher rank in a register; 1 when it was zero and is set now. */
function raise(registers: Uint8Array, register: number, rank: number): number {
  const held = registers[register]!;
  if (rank <= held) return 0;
  registers[register] = rank;
  return held === 0 ? 1 : 0;
}

/** A format-1 sparse sketch's entries (varuint gaps) into the scratch; returns how many. */
function readGaps(reader: ByteReader): number {
  const n = reader.varuint();
  if (n > REGISTERS) reader.fail('distinct sketch has more entries than registers');
  // Entries ascend, so each goes last, or replaces the last one when of the same register (the higher rank kept).
  let entry = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    entry += reader.varuint();
    if (entry >= REGISTERS * RANK_SCALE || entry % RANK_SCALE === 0) reader.fail('distinct sketch entry out of range');
    if (kept > 0 && scratch[kept - 1] >>> RANK_BITS === entry >>> RANK_BITS) scratch[kept - 1] = Math.max(scratch[kept - 1], entry);
    else scratch[kept++] = entry;
  }
  return kept;
}

/** The first `kept` entries of `scratch` as a sketch: past the sparse limit, straight into registers (no list made only to be dropped). */
function sparseOf(kept: number): DistinctSketch {
  if (kept > SPARSE_LIMIT) return toDense(scratch, kept);
  if (kept >= CODED_MIN_ENTRIES) return codedOf(scratch, kept);
  const entries = new Array<number>(kept);
  for (let i = 0; i < kept; i++) entries[i] = scratch[i];
  return entries;
}

/** The length in bits of the codes readRice read last. */
let lastCodeBits = 0;
/** Room for a sketch's entries while it is read, or while a dense one is written sparse. */
const scratch = new Uint32Array(REGISTERS);
/** A coded sketch's entries merged with those set aside (see codedEntries), and those set aside, sorted. */
const merged = new Uint32Array(REGISTERS);
const aside = new Uint32Array(REGISTERS);
/** A coded source's entries, while they are merged into another sketch. */
const sourceEntries = new Uint32Array(REGISTERS);
/** Writes a coded sketch's stored form (its bytes copied out: a view would keep the writer's buffer alive). */
const codedWriter = new ByteWriter(4096);
const EMPTY_CODES = new Uint8Array(0);

/** Four 6-bit ranks in three bytes. */
function pack(dense: Uint8Array): Uint8Array {
  const out = new Uint8Array(PACKED_BYTES);
  for (let i = 0, o = 0; i < REGISTERS; i += 4, o += 3) {
    const bits = dense[i] | (dense[i + 1] << 6) | (dense[i + 2] << 12) | (dense[i + 3] << 18);
    out[o] = bits & 0xff;
    out[o + 1] = (bits >>> 8) & 0xff;
    out[o + 2] = bits >>> 16;
  }
  return out;
}

function unpack(packed: Uint8Array): Uint8Array {
  const dense = new Uint8Array(REGISTERS);
  for (let i = 0, o = 0; i < REGISTERS; i += 4, o += 3) {
    const bits = packed[o] | (packed[o + 1] << 8) | (packed[o + 2] << 16);
    dense[i] = bits & 63;
    dense[i + 1] = (bits >>> 6) & 63;
    dense[i + 2] = (bits >>> 12) & 63;
    dense[i + 3] = bits >>> 18;
  }
  return dense;
}
