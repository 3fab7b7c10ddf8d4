// tsx bench/record-tail.ts <type> [events before] [ms per event] [writes] [base share]: a
// design measurement, for a layout Tabstream does not have. A Tab record is
// written whole at every checkpoint that follows a batch of its Tab
// (bench/record-rewrite.ts times that). Written instead as a base and a
// tail (a second state of the same type holding the events since the base,
// merged with it on reading), each checkpoint would write the tail, and the
// base again once the tail's bytes pass a share of the base's (1/2; 1/n with
// `base share` n). This folds every batch of 50 events into the record (as
// the worker does) and into a tail, and prints per write: the whole record's
// serialization and bytes, against the tail's extra fold plus its
// serialization (or the base's) and bytes. The record's events:
// bench/record-workload.ts; no services.
import { RecordWorkload } from './record-workload';

const [type = 'unique', beforeArg = '5000', msArg = '20', writesArg = '1000', shareArg = '2'] = process.argv.slice(2);
const share = Number(shareArg);
const writes = Number(writesArg);
const workload = new RecordWorkload(type, Number(beforeArg), Number(msArg));
const { handler } = workload;
for (let record = 0; record < 5; record++) {
  const state = workload.seededRecord();
  let tail = handler.newState();
  let baseBytes = handler.serialize(state).length;
  let full = 0n, tailCost = 0n, tailBytes = 0, bases = 0, fullBytes = 0;
  for (let w = 0; w < writes; w++) {
    const events = workload.nextBatch();
    for (const ev of events) handler.fold(state, ev);
    // the tail's extra fold, and its write (a base instead once the tail's bytes pass the base's share)
    const t0 = process.hrtime.bigint();
    for (const ev of events) handler.fold(tail, ev);
    let bytes = handler.serialize(tail);
    if (bytes.length * share > baseBytes) {
      bytes = handler.serialize(state);
      baseBytes = bytes.length;
      tail = handler.newState();
      bases++;
    }
    tailCost += process.hrtime.bigint() - t0;
    tailBytes += bytes.length;
    const t1 = process.hrtime.bigint();
    fullBytes += handler.serialize(state).length;
    full += process.hrtime.bigint() - t1;
  }
  console.log(`${type}: whole record ${(Number(full) / 1e3 / writes).toFixed(1)} us and ${Math.round(fullBytes / writes)} B a write; base+tail ${(Number(tailCost) / 1e3 / writes).toFixed(1)} us (tail fold included) and ${Math.round(tailBytes / writes)} B a write (${bases} of the ${writes} writes a base)`);
}
