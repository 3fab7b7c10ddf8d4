// tsx bench/record-rewrite.ts <type> [events before] [ms per event] [writes]:
// the time to serialize one Tab record written again and again as a
// checkpoint writes it, a batch of 50 events folded between two writes. The
// record first takes `events before` events over the 100 s before; then the
// batches come `ms per event` apart in event time (20: 50 events a second,
// Taba's rate per Tab at 1 M events/s over 20,000 Tabs), so its buckets open,
// fill and close as a live Tab's do, and a write meets its closed buckets
// unchanged beside its current ones. Values as the bench's workload draws
// them (unique: 10,000 users); clients of 300. Prints the mean write of each
// of five records (the first includes the optimizing compiler's warm-up).
// No services; for comparing a change to the writers, alternated with the
// code before it.
import { defaultRegistry } from '../tabs/handlers/registry';
import { SeededRandom } from '../client/seeded-random';

const [type = 'unique', beforeArg = '5000', msArg = '20', writesArg = '1000'] = process.argv.slice(2);
const before = Number(beforeArg);
const msPerEvent = Number(msArg);
const writes = Number(writesArg);
const handler = defaultRegistry().get(type);
if (handler === undefined) throw new Error(`no type '${type}'`);
const BATCH = 50;
const rng = new SeededRandom(7);
const valueOf = (i: number): string | number =>
  type === 'unique' ? `user-${Math.floor(rng.next() * 10_000)}` : type === 'counter' ? i % 97 : Math.round(rng.next() * 1000) / 10;

const means: number[] = [];
for (let record = 0; record < 5; record++) {
  const state = handler.newState();
  const start = Date.now() - 100_000;
  for (let i = 0; i < before; i++) {
    handler.fold(state, { tab: 't', client: `c${i % 300}`, type, value: valueOf(i) as never, time: start + Math.floor((i * 100_000) / Math.max(1, before)) });
  }
  handler.serialize(state);
  let time = start + 100_000;
  let spent = 0n;
  for (let w = 0; w < writes; w++) {
    for (let e = 0; e < BATCH; e++) {
      time += msPerEvent;
      handler.fold(state, { tab: 't', client: `c${Math.floor(rng.next() * 300)}`, type, value: valueOf(e) as never, time: Math.floor(time) });
    }
    const at = process.hrtime.bigint();
    handler.serialize(state);
    spent += process.hrtime.bigint() - at;
  }
  means.push(Number(spent) / 1e3 / writes);
}
console.log(`${type}, ${before} events then ${writes} writes of ${BATCH} more (${msPerEvent} ms apart): ${means.map((us) => us.toFixed(1)).join(' / ')} us a write`);
