// tsx bench/hot-path.ts [production|small] [--profile] [--json]: the worker's CPU
// path without Kafka or Redis — the Taba topology's fused task (decode,
// route, fold, sink) over the benchmark's messages, with a checkpoint (its
// Redis arguments built, as the store would send them) every 250,000
// events (--checkpoint-every <n>): one task holds every Tab, so at 1 M
// events/s that is a 250 ms flush interval. Events per CPU-second, best of several
// passes, beside JSON.parse of the same messages alone and a scan reading
// every byte once (the floor no decoder of these messages goes under; the
// task's rate ÷ the floor's is issue 16's floor ratio). For trying a change
// to the hot path in seconds, on a shared machine (CPU time, not wall time);
// `npm run bench` runs it with --json (bench/hot-path-figures.ts).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import tabaTopology from '../topology/builtin/taba';
import { defaultRegistry } from '../tabs/handlers/registry';
import { TopologyTask } from '../topology/runtime/topology-task';
import type { InputRecord } from '../contracts/input-consumer';
import { TaskMetrics } from '../topology/runtime/task-metrics';
import type { LoadedPartition } from '../state/redis-state-store';
import { checkpointArgs } from '../state/checkpoint-args';
import { benchPlan } from './bench-plan';
import type { HotPathFigures } from './bench-results';
import { Workload } from './workload';

const shapeName = process.argv[2] === 'small' ? 'small' : 'production';
const EVENTS = 2_000_000;
const PASSES = 5;
const everyAt = process.argv.indexOf('--checkpoint-every');
/** Events between checkpoints: at 1 M events/s, 250,000 is a 250 ms flush interval (`--checkpoint-every <events>`). */
const CHECKPOINT_EVERY_EVENTS = everyAt < 0 ? 250_000 : Number(process.argv[everyAt + 1]);

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const shape = { ...benchPlan(false)[shapeName], events: EVENTS };
const workload = new Workload(shape);
const records: InputRecord[] = [];
for (let m = workload.next(); m !== null; m = workload.next()) {
  records.push({ offset: String(records.length), key: Buffer.from(m.key), value: m.value, timestamp: '0' });
}
const eventsPerRecord = EVENTS / records.length;
const checkpointEvery = Math.round(CHECKPOINT_EVERY_EVENTS / eventsPerRecord);

const emptyPartition: LoadedPartition = { generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: null, recordsCurrent: true };

/** One pass: a fresh task folds every record, checkpointing as a worker would. */
function taskPass(): number {
  const topology = tabaTopology({ name: 'hot', topic: 'tabs' });
  const task = new TopologyTask(topology, 0, 1, defaultRegistry(), { push: () => {} }, new TaskMetrics(), 'tabs.dlq');
  task.restore(emptyPartition, new Map());
  let argBytes = 0;
  for (let i = 0; i < records.length; i++) {
    task.process('tabs', records[i]!);
    if ((i + 1) % checkpointEvery === 0 || i === records.length - 1) {
      const taken = task.checkpoint(Date.now());
      if (taken !== null) argBytes += checkpointArgs({ ...taken.checkpoint, token: 1, checkpointId: '1:0', expectedWatermark: -1 }).length;
    }
  }
  return argBytes;
}

function parsePass(): number {
  let n = 0;
  for (const r of records) n += (JSON.parse(r.value!.toString('utf8')) as unknown[]).length;
  return n;
}

/** Reads every byte of every message once: the least any decoder of these messages does. */
function byteScanPass(): number {
  let quotes = 0;
  for (const r of records) {
    const value = r.value!;
    for (let i = 0; i < value.length; i++) if (value[i] === 0x22) quotes++;
  }
  return quotes;
}

function best(pass: () => number): number {
  pass();
  let seconds = Infinity;
  for (let i = 0; i < PASSES; i++) {
    collectGarbage();
    const start = process.cpuUsage();
    pass();
    const used = process.cpuUsage(start);
    seconds = Math.min(seconds, (used.user + used.system) / 1e6);
  }
  return EVENTS / seconds;
}

const profiling = process.argv.includes('--profile');
const task = profiling ? (taskPass(), taskPass(), taskPass(), Number.NaN) : best(taskPass);
const parse = profiling ? Number.NaN : best(parsePass);
const scan = profiling ? Number.NaN : best(byteScanPass);
if (process.argv.includes('--json')) {
  // For `npm run bench`: one line of figures (bench/hot-path-figures.ts reads it).
  const figures: HotPathFigures = { shape: shape.name, task_events_per_cpu_s: task, parse_events_per_cpu_s: parse, byte_scan_events_per_cpu_s: scan, floor_ratio: task / scan, parse_ratio: task / parse };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`hot path, ${shape.name} shape (${shape.tabs} Tabs × ${shape.clients} clients, ${eventsPerRecord} events per message), events per CPU-second, best of ${PASSES}:`);
  console.log(`  fused task (decode, route, fold, sink, checkpoints): ${fmt(task)}`);
  console.log(`  JSON.parse alone:                                    ${fmt(parse)}`);
  console.log(`  every byte read once, nothing else (the floor):      ${fmt(scan)}`);
  console.log(`  fused task ÷ the floor:                              ${(task / scan).toFixed(3)}`);
}
