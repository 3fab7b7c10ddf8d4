// A HyperLogLog distinct counter at precision 14 (16384 registers, standard
// error 1.04/√16384 ≈ 0.81 %): murmur3 x86 128 of a value picks the register
// and rank, and the estimator reads the registers, both as the `hyperloglog`
// package (with the native `murmurhash3`) did when sketches were first
// stored, so stored sketches read back the same (see murmur3-x86-128.ts and
// hyperloglog-estimate.ts).
// Registers are kept here as plain data: sparse (sorted entries) while few are
// set, then dense, so the many small per-bucket sketches of a quiet Tab stay
// small. Adding a value twice changes nothing, and merging is a register-wise
// max: associative, commutative, idempotent.
import { hyperLogLogEstimate } from './hyperloglog-estimate';
import { murmur3x86128 } from './murmur3-x86-128';
import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';

export const PRECISION = 14;
export const REGISTERS = 1 << PRECISION;
/** The estimator's standard error. */
export const STANDARD_ERROR = 1.04 / Math.sqrt(REGISTERS);
/** Ranks above 63 (probability 2^-63 per value) are stored as 63, so dense registers pack into 6 bits. */
const MAX_RANK = 63;
/** Past this many set registers the sparse list costs more memory than the dense array. */
const SPARSE_LIMIT = 2048;
const RANK_BITS = 6;
const RANK_SCALE = 1 << RANK_BITS;
// The native hash read a C string, so a NUL would have cut the value short:
// such values have always been hashed in an escaped form (\uffff is a
// non-character, and JSON writes a NUL as \u0000), and still are, so that
// their registers stay where stored sketches have them.
const NUL_ESCAPE = '\uffff';

export interface DistinctSketch {
  /** Sorted `register·64 + rank` entries while sparse; null once dense. */
  sparse: number[] | null;
  /** One rank per register once dense. */
  dense: Uint8Array | null;
}

export function newDistinct(): DistinctSketch {
  return { sparse: [], dense: null };
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

export function distinctAddEntry(sketch: DistinctSketch, entry: number): void {
  setRegister(sketch, entry >>> RANK_BITS, entry & (RANK_SCALE - 1));
}

export function distinctAdd(sketch: DistinctSketch, value: string): void {
  distinctAddEntry(sketch, distinctEntry(value));
}

function trailingZeros(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function setRegister(sketch: DistinctSketch, register: number, rank: number): void {
  if (sketch.dense !== null) {
    if (rank > sketch.dense[register]) sketch.dense[register] = rank;
    return;
  }
  const sparse = sketch.sparse!;
  let lo = 0;
  let hi = sparse.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sparse[mid] >>> RANK_BITS < register) lo = mid + 1;
    else hi = mid;
  }
  if (lo < sparse.length && sparse[lo] >>> RANK_BITS === register) {
    if (rank > (sparse[lo] & (RANK_SCALE - 1))) sparse[lo] = register * RANK_SCALE + rank;
    return;
  }
  sparse.splice(lo, 0, register * RANK_SCALE + rank);
  if (sparse.length > SPARSE_LIMIT) toDense(sketch);
}

function toDense(sketch: DistinctSketch): Uint8Array {
  if (sketch.dense !== null) return sketch.dense;
  const dense = new Uint8Array(REGISTERS);
  for (const entry of sketch.sparse!) dense[entry >>> RANK_BITS] = entry & (RANK_SCALE - 1);
  sketch.dense = dense;
  sketch.sparse = null;
  return dense;
}

/** Register-wise max of `source` into `target`. */
export function distinctMergeInto(target: DistinctSketch, source: DistinctSketch): void {
  if (source.dense !== null) {
    const dense = toDense(target);
    const from = source.dense;
    for (let i = 0; i < REGISTERS; i++) if (from[i] > dense[i]) dense[i] = from[i];
    return;
  }
  for (const entry of source.sparse!) setRegister(target, entry >>> RANK_BITS, entry & (RANK_SCALE - 1));
}

export function cloneDistinct(sketch: DistinctSketch): DistinctSketch {
  return { sparse: sketch.sparse === null ? null : sketch.sparse.slice(), dense: sketch.dense === null ? null : sketch.dense.slice() };
}

export function isDistinctEmpty(sketch: DistinctSketch): boolean {
  return sketch.sparse !== null && sketch.sparse.length === 0;
}

/** The estimated number of distinct values. */
export function distinctCount(sketch: DistinctSketch): number {
  if (isDistinctEmpty(sketch)) return 0;
  return hyperLogLogEstimate(sketch.dense ?? toDense(cloneDistinct(sketch)));
}

// Serialized as a form byte: 0 empty, 1 sparse (count, then entry gaps), 2
// dense (registers packed 6 bits each, 12 KiB). The smaller form is chosen.
const EMPTY = 0;
const SPARSE = 1;
const DENSE = 2;
const PACKED_BYTES = (REGISTERS * RANK_BITS) / 8;
/** A sparse entry gap takes two to three bytes; past this many entries packed is smaller. */
const SPARSE_WRITE_LIMIT = 4096;

export function writeDistinct(writer: ByteWriter, sketch: DistinctSketch | undefined): void {
  if (sketch === undefined || isDistinctEmpty(sketch)) {
    writer.u8(EMPTY);
    return;
  }
  const entries = sketch.sparse ?? entriesOf(sketch.dense!);
  if (entries.length <= SPARSE_WRITE_LIMIT) {
    writer.u8(SPARSE).varuint(entries.length);
    let previous = 0;
    for (const entry of entries) {
      writer.varuint(entry - previous);
      previous = entry;
    }
    return;
  }
  writer.u8(DENSE).bytes(pack(sketch.dense!));
}

export function readDistinct(reader: ByteReader): DistinctSketch | undefined {
  const form = reader.u8();
  if (form === EMPTY) return undefined;
  const sketch = newDistinct();
  if (form === SPARSE) {
    const n = reader.varuint();
    if (n > REGISTERS) reader.fail('distinct sketch has more entries than registers');
    let entry = 0;
    for (let i = 0; i < n; i++) {
      entry += reader.varuint();
      if (entry >= REGISTERS * RANK_SCALE || entry % RANK_SCALE === 0) reader.fail('distinct sketch entry out of range');
      setRegister(sketch, entry >>> RANK_BITS, entry & (RANK_SCALE - 1));
    }
    return sketch;
  }
  if (form === DENSE) {
    sketch.dense = unpack(reader.bytes(PACKED_BYTES));
    sketch.sparse = null;
    return sketch;
  }
  return reader.fail(`unknown distinct sketch form ${form}`);
}

function entriesOf(dense: Uint8Array): number[] {
  const entries: number[] = [];
  for (let i = 0; i < REGISTERS; i++) if (dense[i] !== 0) entries.push(i * RANK_SCALE + dense[i]);
  return entries;
}

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
