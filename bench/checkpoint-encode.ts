// tsx bench/checkpoint-encode.ts [checkpoints] [laps]: the CPU a worker spends
// encoding one checkpoint's EVALSHA for the socket, ioredis' way (the array
// of checkpointArgs: every argument measured and copied as ioredis does)
// against the RespWriter's (state/resp-writer.ts), on checkpoints of Taba's
// full shape at a 1 s flush interval: per partition ~2,500 client states of
// two events and ~2,500 Tab records of 300 clients, by the type mix of
// bench/workload.ts. Best of `laps`, CPU per checkpoint and the ratio; the
// encoded bytes are checked equal first.
import { Command } from 'ioredis';
import { typicalStoredStates } from './typical-stored-states';
import { tabType, clientName } from './workload';
import type { PartitionCheckpoint } from '../contracts/partition-checkpoint';
import { checkpointArgs, checkpointArgsSizeHint, writeCheckpointArgs } from '../state/checkpoint-args';
import { RespWriter } from '../state/resp-writer';

const CHECKPOINTS = Number(process.argv[2] ?? 20);
const LAPS = Number(process.argv[3] ?? 5);
const STATES_PER_CHECKPOINT = 2_500;
const SHA = 'f'.repeat(40);
const KEYS = ['ts:{bench:0}:meta', 'ts:{bench:0}:states', 'ts:{bench:0}:types', 'ts:{bench:0}:dedup', 'ts:{bench:0}:clients'];

const bytes = typicalStoredStates();
const checkpoints: PartitionCheckpoint[] = [];
for (let n = 0; n < CHECKPOINTS; n++) {
  const states: PartitionCheckpoint['states'] = [];
  for (let i = 0; i < STATES_PER_CHECKPOINT; i++) {
    const t = (n * STATES_PER_CHECKPOINT + i * 7) % 20_000;
    const type = tabType(t);
    const tab = `${type}.${t}`;
    states.push({ tab, client: clientName((i * 31) % 300), bytes: bytes.get(type)!.client });
    if (type !== 'gauge') states.push({ tab, client: '*', bytes: bytes.get(type)!.record });
  }
  checkpoints.push({
    topology: 'bench', partition: 0, token: 3, checkpointId: `3:${n}`, expectedWatermark: n * 1000 - 1, watermark: n * 1000 + 999,
    flushedAt: Date.now(), eventsDelta: 50 * STATES_PER_CHECKPOINT, states, deleted: [], types: [], dedupAdded: new Map(), dedupExpireBefore: 0, sources: {}, clientCounts: null,
  });
}

const viaIoredis = (cp: PartitionCheckpoint): Buffer => {
  // As the store sent it before: one array argument, flattened by ioredis.
  const writable = new Command('evalsha', [SHA, String(KEYS.length), ...KEYS, checkpointArgs(cp)] as never).toWritable({});
  return typeof writable === 'string' ? Buffer.from(writable) : writable;
};
const viaWriter = (cp: PartitionCheckpoint): Buffer => {
  const w = new RespWriter(checkpointArgsSizeHint(cp, KEYS));
  w.integer(KEYS.length);
  for (const key of KEYS) w.string(key);
  writeCheckpointArgs(cp, w);
  return w.command('evalsha', SHA);
};

for (const cp of checkpoints.slice(0, 2)) {
  if (!viaIoredis(cp).equals(viaWriter(cp))) throw new Error('the two encodings differ');
}
const encodedBytes = viaWriter(checkpoints[0]!).length;

function best(encode: (cp: PartitionCheckpoint) => Buffer): number {
  let bestUs = Infinity;
  for (let lap = 0; lap < LAPS; lap++) {
    const start = process.cpuUsage();
    let sink = 0;
    for (const cp of checkpoints) sink += encode(cp).length;
    const used = process.cpuUsage(start);
    if (sink === 0) throw new Error('nothing encoded');
    bestUs = Math.min(bestUs, (used.user + used.system) / checkpoints.length);
  }
  return bestUs;
}

// Alternated, so a slower moment of the host is shared.
const ioredisUs = Math.min(best(viaIoredis), best(viaIoredis));
const writerUs = Math.min(best(viaWriter), best(viaWriter));
const states = checkpoints[0]!.states.length;
console.log(
  `checkpoint of ${states.toLocaleString()} states (${(encodedBytes / 2 ** 20).toFixed(1)} MiB encoded), CPU per checkpoint, best of ${LAPS} laps x ${CHECKPOINTS}: ` +
    `ioredis ${(ioredisUs / 1000).toFixed(2)} ms (${((ioredisUs * 1000) / states).toFixed(0)} ns per state), ` +
    `RespWriter ${(writerUs / 1000).toFixed(2)} ms (${((writerUs * 1000) / states).toFixed(0)} ns per state): ${(ioredisUs / writerUs).toFixed(2)}x less CPU`,
);
