// tsx bench/count-total-write.ts: nanoseconds to serialize one counter state
// (CountTotalWindows.write), for a client's state of one batch (its events in
// one bucket of each ring) and a Tab record of two hours of events (most
// buckets of every ring hold some), best of five rounds in one process, and a
// digest of the bytes, so a change to the writer can show it writes the same
// ones.
import { createHash } from 'node:crypto';
import { ByteWriter } from '../tabs/codec/byte-writer';
import { CountTotalWindows, type CountTotalState } from '../tabs/windows/count-total-windows';
import { FINE_WINDOWS } from '../tabs/windows/window-spec';

const windows = new CountTotalWindows(FINE_WINDOWS);
const NOW = 1_700_000_000_000;

function states(n: number, events: number, spanMs: number): CountTotalState[] {
  return Array.from({ length: n }, (_, s) => {
    const state = windows.create();
    for (let e = 0; e < events; e++) windows.add(state, NOW + s * 997 + Math.floor((e * spanMs) / events), e % 7 === 0 ? 2.5 : 1);
    return state;
  });
}

const clients = states(1_000, 50, 50);
const records = states(100, 2_000, 2 * 60 * 60_000);
const digest = createHash('sha256');
for (const s of [...clients, ...records]) {
  const w = new ByteWriter();
  windows.write(w, s);
  digest.update(w.finish());
}

function nanosPerWrite(of: CountTotalState[], rounds: number): number {
  const w = new ByteWriter(1 << 16);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++) {
      for (const s of of) {
        w.reset();
        windows.write(w, s);
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / (rounds * of.length));
  }
  return best;
}

console.log(`counter state write, best of 5 (digest ${digest.digest('hex').slice(0, 16)}):`);
console.log(`  a client's batch (one bucket per ring): ${nanosPerWrite(clients, 2_000).toFixed(0)} ns`);
console.log(`  a Tab record of two hours:              ${nanosPerWrite(records, 2_000).toFixed(0)} ns`);
