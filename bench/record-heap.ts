// tsx --expose-gc bench/record-heap.ts <type> <events> [distinct values] [span, s]:
// the heap of one thawed state of many events (a Tab record's size at Taba's full
// shape: a unique Tab's record holds ~5,000 events of 10,000 users after two
// minutes), their event times spread over the span (150 s: what a taba-full run
// folds; 86,400: a day, every window's buckets filled, most of them closed),
// against its stored size, and the time to deserialize and
// serialize it. The working set estimates a thawed state's heap from its
// stored size (bolts/tab-state.ts); `npm run bench:fold` measures small
// states, this the large ones. One process per figure: run it once per type.
import { defaultRegistry } from '../tabs/handlers/registry';

const [type = 'unique', eventsArg = '5000', distinctArg = '10000', spanArg = '150'] = process.argv.slice(2);
const spanMs = Number(spanArg) * 1000;
const events = Number(eventsArg);
const distinct = Number(distinctArg);
const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) throw new Error('run with --expose-gc');
const handler = defaultRegistry().get(type);
if (handler === undefined) throw new Error(`no type '${type}'`);
const COPIES = 400;

const state = handler.newState();
const t0 = Date.now() - spanMs;
for (let i = 0; i < events; i++) {
  const value = type === 'unique' ? `user-${Math.floor(Math.random() * distinct)}` : type === 'counter' ? i % 97 : Math.round(Math.random() * 1000) / 10;
  handler.fold(state, { tab: 't', client: 'c', type, value: value as never, time: t0 + Math.floor((i * spanMs) / events) });
}
const bytes = handler.serialize(state);
// Warm: the timings below are of optimized code.
for (let i = 0; i < 50; i++) handler.serialize(handler.deserialize(bytes));

collectGarbage();
collectGarbage();
const before = process.memoryUsage();
const copies: unknown[] = [];
let start = process.hrtime.bigint();
for (let i = 0; i < COPIES; i++) copies.push(handler.deserialize(bytes));
const deserializeUs = Number(process.hrtime.bigint() - start) / 1e3 / COPIES;
collectGarbage();
collectGarbage();
const after = process.memoryUsage();
const heapPerState = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / COPIES;
start = process.hrtime.bigint();
for (const copy of copies) handler.serialize(copy);
const serializeUs = Number(process.hrtime.bigint() - start) / 1e3 / COPIES;
// Written once, a state may keep what makes its next write cheaper (a dense sketch's codes): its heap then.
collectGarbage();
collectGarbage();
const written = process.memoryUsage();
const writtenHeapPerState = (written.heapUsed + written.arrayBuffers - before.heapUsed - before.arrayBuffers) / COPIES;
// A checkpoint's write of a hot record: a second's events of a Tab (50 at Taba's full shape) folded, then written again.
const SECOND_OF_EVENTS = 50;
let foldedAgain = 0;
let rewriteNs = 0n;
for (let round = 0; round < 5; round++) {
  for (const copy of copies) {
    for (let i = 0; i < SECOND_OF_EVENTS; i++, foldedAgain++) {
      const value = type === 'unique' ? `user-${Math.floor(Math.random() * distinct)}` : type === 'counter' ? i % 97 : Math.round(Math.random() * 1000) / 10;
      handler.fold(copy as never, { tab: 't', client: 'c', type, value: value as never, time: t0 + 150_000 + round * 1000 });
    }
  }
  start = process.hrtime.bigint();
  for (const copy of copies) handler.serialize(copy);
  rewriteNs += process.hrtime.bigint() - start;
}
const rewriteUs = Number(rewriteNs) / 1e3 / (5 * COPIES);
// In use: its heap after those seconds of events and writes (a unique record's current buckets made registers again).
collectGarbage();
collectGarbage();
const inUse = process.memoryUsage();
const inUseHeapPerState = (inUse.heapUsed + inUse.arrayBuffers - before.heapUsed - before.arrayBuffers) / COPIES;
const inUseStored = handler.serialize(copies[0] as never).length;
console.log(
  `${type}, ${events} events: stored ${bytes.length} B, thawed ${Math.round(heapPerState)} B (${(heapPerState / bytes.length).toFixed(1)}x), ` +
    `${Math.round(writtenHeapPerState)} B once written (${(writtenHeapPerState / bytes.length).toFixed(1)}x), ` +
    `${Math.round(inUseHeapPerState)} B in use after ${5 * SECOND_OF_EVENTS} more events (${(inUseHeapPerState / inUseStored).toFixed(1)}x its ${inUseStored} B); ` +
    `deserialize ${deserializeUs.toFixed(1)} us, serialize ${serializeUs.toFixed(1)} us, again after ${SECOND_OF_EVENTS} more events ${rewriteUs.toFixed(1)} us (${copies.length} copies)`,
);
