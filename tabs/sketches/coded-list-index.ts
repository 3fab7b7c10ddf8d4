// Where each of a long coded sparse list's 64 chunks of 256 registers begins
// in its Rice codes (see RICE in distinct-sketch.ts), so that a splice of new
// entries (coded-list-splice.ts) jumps to the chunk of each one instead of
// decoding every entry before it. Without it a splice walked the list up to
// its last new entry, most of the list for a second's few dozen entries
// spread over it: decoding was most of writing a hot Tab record's current
// bucket (its list of hundreds to 2,048 entries written at every
// checkpoint). One Int32Array per list, ~780 B: kept only for a list being
// written again and again (see distinct-sketch.ts), not for every list held.
import * as layout from './register-layout';

const { RANK_BITS, RANK_SCALE } = layout;

/** Registers per chunk: 2^CHUNK_SHIFT. */
export const LIST_CHUNK_SHIFT = 8;
export const LIST_CHUNKS = layout.REGISTERS >>> LIST_CHUNK_SHIFT;
/** Where each chunk's first code begins, in bits from the codes' first; at LIST_CHUNKS, where they end. */
export const START = 0;
/** How many entries come before each chunk; at LIST_CHUNKS, the entry count. */
export const BEFORE = LIST_CHUNKS + 1;
/** The set register before each chunk (-1: none), its first entry's gap counted from it. */
export const PREVIOUS = 2 * (LIST_CHUNKS + 1);
const SIZE = 3 * (LIST_CHUNKS + 1);

/**
 * The index of the first `n` sorted entries of `entries` coded with
 * parameter k (a chunk's first code: the first entry of a register at or
 * above its first; an empty chunk's, where the next one's is), from the
 * codes' lengths alone: per entry, the gap's quotient in unary, a zero, k
 * bits, and the rank in unary (rank - 1 ones and a zero).
 */
export function listIndexOf(entries: ArrayLike<number>, n: number, k: number, into?: Int32Array): Int32Array {
  const index = into ?? new Int32Array(SIZE);
  let bits = 0;
  let previous = -1;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const register = entries[i]! >>> RANK_BITS;
    for (; c <= register >>> LIST_CHUNK_SHIFT; c++) {
      index[START + c] = bits;
      index[BEFORE + c] = i;
      index[PREVIOUS + c] = previous;
    }
    bits += ((register - previous - 1) >>> k) + 1 + k + (entries[i]! & (RANK_SCALE - 1));
    previous = register;
  }
  for (; c <= LIST_CHUNKS; c++) {
    index[START + c] = bits;
    index[BEFORE + c] = n;
    index[PREVIOUS + c] = previous;
  }
  return index;
}
