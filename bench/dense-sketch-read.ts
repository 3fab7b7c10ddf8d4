// tsx bench/dense-sketch-read.ts: microseconds to read one stored distinct
// sketch of 3,000-6,000 values (a unique Tab record's big cells, Rice-coded)
// into a window's registers, as a query rendering a record does
// (readDistinctInto), and to estimate a dense sketch's count
// (hyperLogLogEstimate, 5,000-100,000 values); best of five rounds in one
// process, with a checksum of the answers, so a change can show it reads
// the same.
import { ByteReader } from '../tabs/codec/byte-reader';
import { ByteWriter } from '../tabs/codec/byte-writer';
import { distinctAdd, newDistinct, readDistinctInto, REGISTERS, writeDistinct, type DistinctSketch } from '../tabs/sketches/distinct-sketch';
import { hyperLogLogEstimate } from '../tabs/sketches/hyperloglog-estimate';

function sketchOf(values: number): DistinctSketch {
  let s = newDistinct();
  for (let i = 0; i < values; i++) s = distinctAdd(s, `user-${values}-${i}`);
  return s;
}

const stored = [3_000, 4_500, 6_000].map((values) => {
  const w = new ByteWriter();
  writeDistinct(w, sketchOf(values));
  return w.finish();
});
const dense = [5_000, 8_000, 20_000, 100_000].map((values) => sketchOf(values) as Uint8Array);

function bestMicros(items: number, run: () => number): { micros: number; checksum: number } {
  let best = Infinity;
  let checksum = 0;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    checksum = 0;
    for (let k = 0; k < 2_000; k++) checksum += run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e3 / (2_000 * items));
  }
  return { micros: best, checksum };
}

const registers = new Uint8Array(REGISTERS);
const read = bestMicros(stored.length, () => {
  let set = 0;
  for (const bytes of stored) {
    registers.fill(0);
    set += readDistinctInto(new ByteReader(bytes), registers);
  }
  return set;
});
const estimate = bestMicros(dense.length, () => dense.reduce((sum, s) => sum + hyperLogLogEstimate(s), 0));
console.log(
  `distinct sketch, µs (best of 5): read into registers ${read.micros.toFixed(1)} (registers set ${read.checksum / 2_000}), estimate ${estimate.micros.toFixed(1)} (counts ${estimate.checksum / 2_000})`,
);
