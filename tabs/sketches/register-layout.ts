// How a distinct sketch's registers are laid out, shared by the sketch and
// the writers of its stored codes.
export const PRECISION = 14;
export const REGISTERS = 1 << PRECISION;
/** Ranks above 63 (probability 2^-63 per value) are stored as 63, so dense registers pack into 6 bits. */
export const MAX_RANK = 63;
export const RANK_BITS = 6;
/** An entry is `register·RANK_SCALE + rank`. */
export const RANK_SCALE = 1 << RANK_BITS;
/** Registers are 14 bits: a gap's Rice parameter k is below that. */
export const MAX_RICE_K = PRECISION - 1;
