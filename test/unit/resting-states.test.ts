// A worker's fold task lets the client states a slice woke from their bytes
// rest again at the slice's end (their objects dropped, their bytes kept):
// the law is that this changes nothing a checkpoint writes. Two tasks fold
// the same slices, one holding every state in memory (no state source, so
// nothing ever rests), one with a state source and a working set (states
// fetched, rested, frozen and, with a small budget, evicted and fetched
// again); every checkpoint of both must write the same bytes for client
// states and leave the same Tab records in Redis (a record frozen and
// thawed is written whole where one held in delta mode writes its delta),
// and the totals must be the ones this test counted.
import { describe, expect, it } from 'vitest';
import buildTaba from '../../topology/builtin/taba';
import { TopologyTask } from '../../topology/runtime/topology-task';
import { TaskMetrics } from '../../topology/runtime/task-metrics';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { WorkingSet } from '../../contracts/working-set';
import { partitionForKey } from '../../client/partition-for-key';
import type { InputRecord } from '../../contracts/input-consumer';
import type { StateSource } from '../../contracts/state-source';
import type { LoadedPartition } from '../../state/redis-state-store';
import { SeededRandom } from '../../client/seeded-random';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT, stateField } from '../../state/redis-keys';
import { storedRecordState } from '../../state/stored-record';

const PARTITIONS = 4;
const now = 1_700_000_000_000;
const taba = buildTaba({ name: 't', topic: 'tabs' });
const empty = (): LoadedPartition => ({ generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: null, recordsCurrent: true });
const TYPES = ['counter', 'percentile', 'unique', 'gauge'] as const;
const registry = defaultRegistry();

/** Tab names Kafka's partitioner puts on partition 0, each of one type. */
function tabsOnZero(n: number): Array<{ tab: string; type: (typeof TYPES)[number] }> {
  const out: Array<{ tab: string; type: (typeof TYPES)[number] }> = [];
  for (let i = 0; out.length < n; i++) {
    const tab = `rest${i}`;
    if (partitionForKey(tab, PARTITIONS) === 0) out.push({ tab, type: TYPES[out.length % TYPES.length]! });
  }
  return out;
}

interface Slices {
  slices: InputRecord[][];
  /** Counter Tabs' events per (tab, client): count and total, as this test counted them. */
  counted: Map<string, { count: number; total: number }>;
}

/**
 * Slices in which client 0 of every Tab is hot (an event each slice), client 1
 * warm (every other slice), and the rest cold (a few random events in all).
 */
function slicesOf(tabs: Array<{ tab: string; type: string }>, clients: number, count: number): Slices {
  const random = new SeededRandom(11);
  const counted = new Map<string, { count: number; total: number }>();
  const slices: InputRecord[][] = [];
  let offset = 0;
  for (let s = 0; s < count; s++) {
    const events: Array<Record<string, unknown>> = [];
    const add = (tab: string, type: string, client: number): void => {
      const value = type === 'unique' ? `v${random.int(0, 49)}` : random.int(0, 999);
      events.push({ tab, type, client: `c${client}`, value, time: now + s * 1000 });
      if (type === 'counter') {
        const key = `${tab}/c${client}`;
        const c = counted.get(key) ?? { count: 0, total: 0 };
        c.count++;
        c.total += value as number;
        counted.set(key, c);
      }
    };
    for (const { tab, type } of tabs) {
      add(tab, type, 0);
      if (s % 2 === 0) add(tab, type, 1);
      for (let k = 0; k < 3; k++) add(tab, type, random.int(2, clients - 1));
    }
    // A record holds many messages: the events in messages of 10.
    const slice: InputRecord[] = [];
    for (let at = 0; at < events.length; at += 10) {
      slice.push({ offset: String(offset++), key: null, value: Buffer.from(JSON.stringify(events.slice(at, at + 10))), timestamp: String(now) });
    }
    slices.push(slice);
  }
  return { slices, counted };
}

class MemorySource implements StateSource {
  readonly stored = new Map<string, Buffer>();
  readonly types = new Map<string, string>();
  fetches = 0;
  async fetch(_partition: number, states: ReadonlyArray<{ tab: string; client: string }>, tabs: readonly string[]) {
    this.fetches += states.length;
    return {
      states: states.map(({ tab, client }) => this.stored.get(stateField(tab, client)) ?? null),
      types: tabs.map((tab) => this.types.get(tab) ?? null),
    };
  }
  async scan() {
    return { cursor: '0', states: [] };
  }
}

/**
 * Each checkpoint's client states, key → bytes (hex), and the Tab records it
 * wrote as Redis then holds them (`record:<tab>` → the base merged with its
 * delta, rendered): a task that froze a record writes it whole where one
 * holding it in delta mode writes its delta, the same record either way.
 */
async function run(slices: InputRecord[][], every: number, source?: MemorySource, budgetBytes?: number): Promise<Array<Map<string, string>>> {
  const ws = source === undefined ? undefined : new WorkingSet(budgetBytes ?? 512 * 2 ** 20);
  const task = new TopologyTask(taba, 0, PARTITIONS, registry, { push() {} }, new TaskMetrics(), 'tabs.dlq', source === undefined ? {} : { states: source, workingSet: ws });
  await task.restore(empty(), new Map());
  // What Redis holds after each checkpoint (the source's, or this run's own).
  const stored = source ?? new MemorySource();
  const written: Array<Map<string, string>> = [];
  for (let s = 0; s < slices.length; s++) {
    const ready = task.processSlice('tabs', slices[s]!);
    if (source === undefined) expect(ready).toBeUndefined();
    else await ready;
    if ((s + 1) % every === 0 || s === slices.length - 1) {
      const at = now + s * 1000;
      const cp = task.checkpoint(at)!.checkpoint;
      const states = new Map<string, string>();
      const records = new Set<string>();
      for (const st of cp.states) {
        if (st.client === RECORD_CLIENT || st.client === RECORD_DELTA_CLIENT) records.add(st.tab);
        else states.set(stateField(st.tab, st.client), Buffer.from(st.bytes).toString('hex'));
        // A copy (the task keeps the bytes it wrote).
        stored.stored.set(stateField(st.tab, st.client), Buffer.from(st.bytes));
      }
      for (const { tab, client } of cp.deleted) stored.stored.delete(stateField(tab, client));
      for (const { tab, type } of cp.types) stored.types.set(tab, type);
      for (const tab of records) {
        const handler = registry.get(stored.types.get(tab)!)!;
        const base = stored.stored.get(stateField(tab, RECORD_CLIENT))!;
        const record = storedRecordState(handler, base, stored.stored.get(stateField(tab, RECORD_DELTA_CLIENT)) ?? null);
        states.set(`record:${tab}`, JSON.stringify(handler.render(handler.project(record, at))));
      }
      written.push(states);
      task.checkpointed();
    }
  }
  return written;
}

describe('resting states (a slice lets the states it woke go back to their bytes)', () => {
  const tabs = tabsOnZero(24);
  const { slices, counted } = slicesOf(tabs, 40, 30);

  it('writes the same bytes at every checkpoint as a task holding every state thawed, and the totals counted here', async () => {
    const held = await run(slices, 3);
    const source = new MemorySource();
    const counter = defaultRegistry().get('counter')!;
    const rested = await run(slices, 3, source);
    expect(rested.length).toBe(held.length);
    for (let i = 0; i < held.length; i++) expect(rested[i], `checkpoint ${i}`).toEqual(held[i]);
    expect(source.fetches).toBeGreaterThan(0);

    // The totals, from what "Redis" ends with.
    let compared = 0;
    for (const [key, c] of counted) {
      const [tab, client] = key.split('/') as [string, string];
      const bytes = source.stored.get(stateField(tab, client));
      expect(bytes, key).toBeDefined();
      const all = (counter.render(counter.project(counter.deserialize(bytes!), now + 100_000)) as { all: { count: number; total: number } }).all;
      expect(all, key).toMatchObject({ count: c.count, total: c.total });
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('with a working set too small for the states (evicted and fetched again mid-stream): the same bytes', async () => {
    const held = await run(slices, 3);
    const source = new MemorySource();
    const rested = await run(slices, 3, source, 64 * 1024);
    for (let i = 0; i < held.length; i++) expect(rested[i], `checkpoint ${i}`).toEqual(held[i]);
    // States left memory and came back: more fetched than there are states.
    expect(source.fetches).toBeGreaterThan(source.stored.size);
  });
});
