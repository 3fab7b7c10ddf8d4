// tsx bench/dense-sketch-write.ts: microseconds to serialize one dense distinct
// sketch (a unique Tab record's cell once it holds thousands of values), for
// sketches written as Rice-coded entries (3,000-6,000 distinct values) and
// packed (12,000-30,000), best of five rounds in one process, and a digest of
// the bytes, so a change to writeDistinct can show it writes the same ones.
import { createHash } from 'node:crypto';
import { ByteWriter } from '../tabs/codec/byte-writer';
import { distinctAdd, newDistinct, writeDistinct, type DistinctSketch } from '../tabs/sketches/distinct-sketch';

function sketchOf(values: number): DistinctSketch {
  let s = newDistinct();
  for (let i = 0; i < values; i++) s = distinctAdd(s, `user-${i}`);
  return s;
}

const asEntries = [3_000, 4_500, 6_000].map(sketchOf);
const packed = [12_000, 30_000].map(sketchOf);
const digest = createHash('sha256');
for (const s of [...asEntries, ...packed]) {
  const w = new ByteWriter();
  writeDistinct(w, s);
  digest.update(w.finish());
}

function microsPerWrite(sketches: DistinctSketch[]): number {
  const w = new ByteWriter(1 << 16);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let k = 0; k < 2_000; k++) {
      for (const s of sketches) {
        w.reset();
        writeDistinct(w, s);
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e3 / (2_000 * sketches.length));
  }
  return best;
}

console.log(`dense distinct sketch, µs per write (best of 5): as entries ${microsPerWrite(asEntries).toFixed(1)}, packed ${microsPerWrite(packed).toFixed(1)}; bytes sha256 ${digest.digest('hex').slice(0, 16)}`);
