// HyperLogLog register sets (precision 14) made from a short description, so
// that a fixture can name thousands of registers in a line: `fill` of the
// registers set, each to a rank drawn as a hashed value's would be (1 plus
// its trailing zeros: 1 half the time, 2 a quarter...), capped at `maxRank`;
// or every register at `rank`.
import { SeededRandom } from '../../client/seeded-random';

export type RegisterSetSpec = { seed: number; fill: number; maxRank: number } | { every: number };

export const REGISTER_COUNT = 1 << 14;

export function registerSet(spec: RegisterSetSpec): Uint8Array {
  const registers = new Uint8Array(REGISTER_COUNT);
  if ('every' in spec) return registers.fill(spec.every);
  const random = new SeededRandom(spec.seed);
  for (let i = 0; i < REGISTER_COUNT; i++) {
    if (random.next() >= spec.fill) continue;
    let rank = 1;
    while (rank < spec.maxRank && random.next() < 0.5) rank++;
    registers[i] = rank;
  }
  return registers;
}
