// npm run bench:task [-- <messages> <messages per checkpoint> <working set MiB>]: one worker's fold task at
// Taba's full shape (one partition holding 10,000 Tabs x 300 clients) without services:
// states not in memory are "fetched" from a map of stored bytes (a state never written
// comes back as one of two events, a Tab record as 300 such clients merged, as the
// taba-full preload stores them), the working set is 512 MiB (a smaller one evicts), and each checkpoint's
// states are written back to the map. It measures the task's CPU per event: parse, fold,
// prefetch and thaw, checkpoint and freeze; not Kafka, Redis or the network. A tool to
// compare changes to the task, run several times (its figures move by ~10 % run to run
// here); the bench's figures are end to end (npm run bench). At the end it prints what the
// working set holds, by form (thawed, resting, frozen), kind (Tab record or client state) and
// type, against their stored size (WorkingSet.describe); with NODE_OPTIONS=--expose-gc, also
// the memory a full collection leaves (heap and typed arrays' stores).
import buildTaba from '../topology/builtin/taba';
import { TopologyTask } from '../topology/runtime/topology-task';
import { TaskMetrics } from '../topology/runtime/task-metrics';
import { defaultRegistry } from '../tabs/handlers/registry';
import { WorkingSet } from '../contracts/working-set';
import { slabLedger } from '../tabs/codec/slab-ledger';
import { Workload, tabType } from './workload';
import { typicalStoredStates } from './typical-stored-states';
import type { InputRecord } from '../contracts/input-consumer';
import type { StateSource } from '../contracts/state-source';
import { isRecord, RECORD_DELTA_CLIENT, stateField } from '../state/redis-keys';
import { heldStatesTable } from './held-states-table';

const MESSAGES = Number(process.argv[2] ?? 120_000);
const PER_CHECKPOINT = Number(process.argv[3] ?? 10_000);
const WORKING_SET_MIB = Number(process.argv[4] ?? 512);
const registry = defaultRegistry();
const preload = typicalStoredStates();
const stored = new Map<string, Buffer>();
let fetchedStates = 0;
const source: StateSource = {
  async fetch(_p, states, tabs) {
    fetchedStates += states.length;
    return {
      states: states.map(({ tab, client }) => {
        const key = stateField(tab, client);
        const s = stored.get(key);
        if (s !== undefined) return s;
        // A Tab record's delta exists only once a checkpoint wrote one.
        if (client === RECORD_DELTA_CLIENT) return null;
        const type = tab.slice(0, tab.indexOf('.'));
        const p = preload.get(type as 'counter')!;
        return client === '*' ? p.record : p.client;
      }),
      types: tabs.map((tab) => tab.slice(0, tab.indexOf('.'))),
    };
  },
  async scan() { return { cursor: '0', states: [] }; },
};
const ws = new WorkingSet(WORKING_SET_MIB * 2 ** 20, undefined, slabLedger);
const taba = buildTaba({ name: 't', topic: 'tabs' });
const task = new TopologyTask(taba, 0, 1, registry, { push() {} }, new TaskMetrics(), 'tabs.dlq', { states: source, workingSet: ws });
await task.restore({ generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: null, recordsCurrent: true } as never, new Map());
// With --expose-gc: what a full collection leaves before the run (see the end).
const collect = (globalThis as { gc?: () => void }).gc;
async function heldAfterCollection(): Promise<{ heap: number; buffers: number }> {
  // Backing stores are freed by a sweeper after the collection: a few collections, a pause after each.
  for (let i = 0; i < 4; i++) {
    collect!();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}
const w = new Workload({ name: 'x', tabs: 10_000, clients: 300, events: MESSAGES * 50, eventsPerMessage: 50 }, Date.now());
const before = collect === undefined ? { heap: 0, buffers: 0 } : await heldAfterCollection();
let cpu = 0, cpCpu = 0, offset = 0, sinceCp = 0, written = 0, writtenRecords = 0, recordWrites = 0, stateWrites = 0;
const t0 = Date.now();
while (!w.done) {
  const slice: InputRecord[] = [];
  for (let i = 0; i < 200; i++) { const m = w.next(); if (!m) break; slice.push({ offset: String(offset++), key: Buffer.from(m.key), value: m.value, timestamp: '0' }); }
  const a = process.cpuUsage();
  const p = task.processSlice('tabs', slice);
  if (p) await p;
  const b = process.cpuUsage(a); cpu += b.user + b.system;
  sinceCp += slice.length;
  if (sinceCp >= PER_CHECKPOINT) {
    sinceCp = 0;
    const c0 = process.cpuUsage();
    const out = task.checkpoint(Date.now());
    for (const d of out?.checkpoint.deleted ?? []) stored.delete(stateField(d.tab, d.client));
    for (const s of out?.checkpoint.states ?? []) {
      stored.set(stateField(s.tab, s.client), Buffer.from(s.bytes));
      written += s.bytes.length;
      if (isRecord(s.client)) { writtenRecords += s.bytes.length; recordWrites++; } else stateWrites++;
    }
    task.checkpointed();
    const c = process.cpuUsage(c0); cpCpu += c.user + c.system;
  }
}
// What the working set holds at the end, by form, kind and type, once a last checkpoint has
// stored what the last slices changed (so thawed states show their stored size).
const last = task.checkpoint(Date.now());
for (const d of last?.checkpoint.deleted ?? []) stored.delete(stateField(d.tab, d.client));
for (const s of last?.checkpoint.states ?? []) stored.set(stateField(s.tab, s.client), Buffer.from(s.bytes));
task.checkpointed();
const ev = MESSAGES * 50;
console.log(`events ${ev} slices ${(cpu / 1e6).toFixed(2)} s checkpoints ${(cpCpu / 1e6).toFixed(2)} s -> ${Math.round(ev / ((cpu + cpCpu) / 1e6)).toLocaleString()} events per CPU-second; fetched ${fetchedStates}, working set ${(ws.bytes / 2 ** 20).toFixed(0)} MiB (pinned slabs' rest ${(ws.pinnedOverheadBytes / 2 ** 20).toFixed(0)} MiB in ${slabLedger.slabCount}), evicted ${ws.evictions}, written ${(written / 1e6).toFixed(0)} MB (Tab records ${(writtenRecords / 1e6).toFixed(0)} MB in ${recordWrites.toLocaleString()} writes, client states in ${stateWrites.toLocaleString()}), wall ${(Date.now() - t0) / 1000} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
const held = ws.describe();
console.log(heldStatesTable(held));
// With --expose-gc (NODE_OPTIONS), the memory a full collection leaves, to set beside the estimates: the
// JavaScript heap and the typed arrays' backing stores, which heapUsed leaves out (the frozen arena's pages,
// a state's bytes). The map standing in for Redis is dropped first, and what the process held before the
// run (its modules, the preload's states) is taken off.
if (collect !== undefined) {
  stored.clear();
  const after = await heldAfterCollection();
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  // Beside the stored size the table counts (a thawed state changed since it was stored counts none: the ratio errs high).
  const storedHeld = held.reduce((sum, r) => sum + r.storedBytes, 0);
  const heldBytes = after.heap + after.buffers - before.heap - before.buffers;
  console.log(`held after a full collection, less the ${mib(before.heap + before.buffers)} held before the run: heap ${mib(after.heap - before.heap)}, typed arrays' stores ${mib(after.buffers - before.buffers)}, ${mib(heldBytes)} in all, ${(heldBytes / storedHeld).toFixed(2)}x the ${mib(storedHeld)} its states store`);
}
