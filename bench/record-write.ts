// tsx bench/record-write.ts: what writing a Tab record at a checkpoint costs,
// with the bytes of its unchanged large cells kept (WindowedCells.write) and
// with every cell encoded again (the state's kept bytes dropped before each
// write). Records of a unique and a percentile Tab, at two ages: one whose
// events span the last two minutes (taba-full's records: every window's
// newest bucket holds nearly all of them) and one with a day and two hours
// of history (a Tab in production: the 1d ring's older buckets full). Each
// "checkpoint" folds 35 events a second later (a Tab of taba-full at ~350 k
// events/s per worker), then writes the record. One process, best of five
// passes; the bytes are checked equal both ways.
import { percentileHandler } from '../tabs/handlers/percentile';
import { uniqueHandler } from '../tabs/handlers/unique';
import type { TabHandler } from '../tabs/handlers/handler';
import type { TabEvent } from '../tabs/event';
import { SeededRandom } from '../client/seeded-random';

const NOW = 1_700_000_000_000;
const CHECKPOINTS = 400;
const EVENTS_PER_CHECKPOINT = 35;
const PASSES = 5;

// Values as taba-full's workload draws them: 10,000 users; log-normal prices to three decimals.
const valueOf = (random: SeededRandom, type: string): TabEvent['value'] => (type === 'unique' ? `user-${Math.floor(random.next() * 10_000)}` : Number(random.logNormal(0.25, 0.6).toFixed(3)));
const event = (random: SeededRandom, type: string, time: number): TabEvent => ({ tab: 't', client: '*', type, value: valueOf(random, type), time }) as TabEvent;

/** A record holding `events` events spread evenly over the `spanMs` before NOW. */
function record(handler: TabHandler, type: string, spanMs: number, events: number): unknown {
  const state = handler.newState();
  const random = new SeededRandom(7);
  for (let i = 0; i < events; i++) handler.fold(state, event(random, type, NOW - spanMs + Math.floor((i * spanMs) / events)));
  return state;
}

/** µs per checkpoint (fold, then write), best of the passes; and the bytes written last. */
function measure(handler: TabHandler, type: string, make: () => unknown, keep: boolean): { us: number; last: Uint8Array } {
  let best = Infinity;
  let last = new Uint8Array();
  for (let pass = 0; pass < PASSES; pass++) {
    const state = make() as { written?: unknown };
    // The same events both ways and in every pass.
    const random = new SeededRandom(11);
    // The first write encodes every cell either way: the figure is the writes after it.
    handler.serialize(state);
    const started = process.hrtime.bigint();
    for (let c = 1; c <= CHECKPOINTS; c++) {
      for (let e = 0; e < EVENTS_PER_CHECKPOINT; e++) handler.fold(state, event(random, type, NOW + c * 1000 + e));
      if (!keep) state.written = undefined;
      last = handler.serialize(state).slice();
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / CHECKPOINTS);
  }
  return { us: best, last };
}

const cases: Array<[string, TabHandler, string, number, number]> = [
  ['unique, 2 min of events (taba-full)', uniqueHandler, 'unique', 2 * 60_000, 4_000],
  ['unique, 26 h of events (production)', uniqueHandler, 'unique', 26 * 3_600_000, 200_000],
  ['percentile, 2 min of events (taba-full)', percentileHandler, 'percentile', 2 * 60_000, 4_000],
  ['percentile, 26 h of events (production)', percentileHandler, 'percentile', 26 * 3_600_000, 200_000],
];
console.log(`a Tab record's checkpoint (${EVENTS_PER_CHECKPOINT} events folded, then the record written), µs, best of ${PASSES} passes of ${CHECKPOINTS}:`);
for (const [name, handler, type, span, events] of cases) {
  const base = record(handler, type, span, events);
  const copy = () => handler.deserialize(handler.serialize(base));
  const kept = measure(handler, type, copy, true);
  const fresh = measure(handler, type, copy, false);
  if (!Buffer.from(kept.last).equals(Buffer.from(fresh.last))) throw new Error(`${name}: kept bytes differ from bytes encoded afresh`);
  console.log(`  ${name.padEnd(42)} ${kept.last.length.toLocaleString('en-US').padStart(7)} B  kept ${kept.us.toFixed(1).padStart(7)}  every cell encoded ${fresh.us.toFixed(1).padStart(7)}  (${(fresh.us / kept.us).toFixed(2)}×)`);
}
