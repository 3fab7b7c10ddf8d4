// An independent coder of a distinct sketch's Rice form, bit by bit from its
// definition, and random entries as hashing gives them: the references the
// tests of the sketch's code writers compare with.
import { SeededRandom } from '../../client/seeded-random';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { distinctEntries, writeDistinct, type DistinctSketch } from '../../tabs/sketches/distinct-sketch';
import { riceK } from '../../tabs/sketches/rice-code-writer';
import { REGISTERS } from '../../tabs/sketches/register-layout';

/**
 * The Rice form by its definition (distinct-sketch.ts, RICE and SIZED_RICE),
 * bit by bit, from sorted entries: form byte, entry count, the codes' length
 * from 256 entries on; per entry the gap to the previous set register
 * (quotient in unary, k bits), then rank - 1 in unary; zero-padded.
 */
export function riceReference(entries: readonly number[]): Uint8Array {
  const writer = new ByteWriter();
  if (entries.length === 0) return writer.u8(0).finish();
  const k = riceK(entries.length, entries[entries.length - 1]! >>> 6);
  const bits: number[] = [];
  let previous = -1;
  for (const entry of entries) {
    const register = entry >>> 6;
    const gap = register - previous - 1;
    previous = register;
    for (let q = gap >>> k; q > 0; q--) bits.push(1);
    bits.push(0);
    for (let b = k - 1; b >= 0; b--) bits.push((gap >>> b) & 1);
    for (let r = (entry & 63) - 1; r > 0; r--) bits.push(1);
    bits.push(0);
  }
  const codes = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => (codes[i >>> 3]! |= bit << (7 - (i & 7))));
  const sized = entries.length >= 256;
  writer.u8((sized ? 32 : 16) + k).varuint(entries.length);
  if (sized) writer.varuint(codes.length);
  return writer.bytes(codes).finish();
}

export function randomEntry(rng: SeededRandom, registers = REGISTERS, from = 0): number {
  const register = from + Math.floor(rng.next() * registers);
  // Geometric ranks as hashing gives, now and then a high one (a long code).
  let rank = 1;
  while (rank < 63 && rng.next() < 0.5) rank++;
  if (rng.next() < 0.01) rank = 40 + Math.floor(rng.next() * 23);
  return register * 64 + rank;
}


/** A sketch's registers, whatever its form (one read back may be held coded where it was written dense). */
export function denseRegisters(sketch: DistinctSketch | undefined): Uint8Array {
  const registers = new Uint8Array(REGISTERS);
  for (const entry of sketch === undefined ? [] : distinctEntries(sketch)) registers[entry >>> 6] = entry & 63;
  return registers;
}

/** A sketch's stored bytes, as writeDistinct writes them. */
export function bytesOf(sketch: DistinctSketch | undefined): Uint8Array {
  const writer = new ByteWriter();
  writeDistinct(writer, sketch);
  return writer.finish();
}
