// tsx bench/sketch-rewrite.ts [new values between writes]: microseconds to write
// a distinct sketch again after a few new values, as a checkpoint writes a hot
// Tab record's current buckets: dense sketches of 3,000-6,000 values (their
// codes kept between writes, kept-sketch-codes.ts) and coded sparse lists of
// ~400, ~800 and ~1,500 entries (spliced, coded-list-splice.ts). Best of seven
// rounds in one process; only the writes are timed. No services; for
// comparing a change to the writers, alternated with the code before it
// (their figures move by ~20 % from run to run here).
import { ByteWriter } from '../tabs/codec/byte-writer';
import { distinctAddEntry, distinctEntry, newDistinct, writeDistinct, type DistinctSketch } from '../tabs/sketches/distinct-sketch';

const fresh = Array.from({ length: 400_000 }, (_, i) => distinctEntry(`v-${i}`));
let drawn = 0;
const writer = new ByteWriter(1 << 16);

/** A sketch of `values` new values, written once (its codes kept). */
function sketchOf(values: number): DistinctSketch {
  let sketch = newDistinct();
  for (let i = 0; i < values; i++) sketch = distinctAddEntry(sketch, fresh[drawn++ % fresh.length]!);
  writer.reset();
  writeDistinct(writer, sketch);
  return sketch;
}

/** Best of seven rounds: µs per write of a sketch of `values` values after `added` more, `writes` writes per sketch made. */
function microsPerWrite(values: number, added: number, writes: number, sketches: number): number {
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let spent = 0n;
    for (let s = 0; s < sketches; s++) {
      let sketch = sketchOf(values);
      for (let w = 0; w < writes; w++) {
        for (let i = 0; i < added; i++) sketch = distinctAddEntry(sketch, fresh[drawn++ % fresh.length]!);
        const started = process.hrtime.bigint();
        writer.reset();
        writeDistinct(writer, sketch);
        spent += process.hrtime.bigint() - started;
      }
    }
    best = Math.min(best, Number(spent) / 1e3 / (writes * sketches));
  }
  return best;
}

const added = Number(process.argv[2] ?? 37);
const figures: string[] = [];
// Dense: 3,000-6,000 values set ~2,800-5,000 registers, Rice-coded; 100 writes of `added` keep them under 8,192 set.
for (const values of [3_000, 4_500, 6_000]) figures.push(`dense ${values}: ${microsPerWrite(values, added, 100, 10).toFixed(2)}`);
for (const values of [400, 800, 1_500]) figures.push(`list ~${values}: ${microsPerWrite(values, added, 10, 200).toFixed(2)}`);
console.log(`distinct sketch written again after ${added} new values, us a write (best of 7): ${figures.join(', ')}`);
