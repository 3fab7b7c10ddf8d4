// tsx bench/record-rewrite.ts <type> [events before] [ms per event] [writes]:
// the time to serialize one Tab record written again and again as a
// checkpoint writes it, a batch of 50 events folded between two writes
// (bench/record-workload.ts: the record's events), so a write meets its
// closed buckets unchanged beside its current ones. Prints the mean write of
// each of five records (the first includes the optimizing compiler's
// warm-up). No services; for comparing a change to the writers, alternated
// with the code before it.
import { RECORD_BATCH, RecordWorkload } from './record-workload';

const [type = 'unique', beforeArg = '5000', msArg = '20', writesArg = '1000'] = process.argv.slice(2);
const writes = Number(writesArg);
const workload = new RecordWorkload(type, Number(beforeArg), Number(msArg));
const { handler } = workload;

const means: number[] = [];
for (let record = 0; record < 5; record++) {
  const state = workload.seededRecord();
  handler.serialize(state);
  let spent = 0n;
  for (let w = 0; w < writes; w++) {
    for (const event of workload.nextBatch()) handler.fold(state, event);
    const at = process.hrtime.bigint();
    handler.serialize(state);
    spent += process.hrtime.bigint() - at;
  }
  means.push(Number(spent) / 1e3 / writes);
}
console.log(`${type}, ${beforeArg} events then ${writes} writes of ${RECORD_BATCH} more (${msArg} ms apart): ${means.map((us) => us.toFixed(1)).join(' / ')} us a write`);
