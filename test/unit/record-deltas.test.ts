import { describe, expect, it } from 'vitest';
import buildTaba from '../../topology/builtin/taba';
import { TopologyTask } from '../../topology/runtime/topology-task';
import { TaskMetrics } from '../../topology/runtime/task-metrics';
import type { InputRecord } from '../../contracts/input-consumer';
import type { StateSource } from '../../contracts/state-source';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import type { Outbox } from '../../topology/runtime/outbox';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { partitionForKey } from '../../client/partition-for-key';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT, stateField } from '../../state/redis-keys';
import { SMALL_RECORD_BYTES } from '../../bolts/record-write';
import { COMPACT_AFTER_IDLE_MS } from '../../bolts/fold-bolt';
import { storedRecordState } from '../../state/stored-record';
import type { LoadedPartition } from '../../state/redis-state-store';

// A Tab record is written as a base and a delta (bolts/record-write.ts): these tests hold a
// task's checkpoints against records folded here event by event, through the
// task being replaced by a new one that reads what was stored (a take-over).

const PARTITIONS = 4;
const now = 1_700_000_000_000;
const registry = defaultRegistry();
const taba = buildTaba({ name: 't', topic: 'tabs' });
const empty = (): LoadedPartition => ({ generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: null, recordsCurrent: true });
const noOutbox: Outbox = { push() {} };

function tabsOn(partition: number, prefix: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (partitionForKey(`${prefix}${i}`, PARTITIONS) === partition) out.push(`${prefix}${i}`);
  return out;
}

/** Redis's states hash as checkpoint.lua writes it (the states, then the deletions), and a state source over it. */
class StoredStates {
  readonly fields = new Map<string, Buffer>();
  readonly types = new Map<string, string>();
  deltaWrites = 0;
  baseWrites = 0;

  apply(cp: Pick<PartitionCheckpoint, 'states' | 'deleted' | 'types'>): void {
    for (const s of cp.states) {
      this.fields.set(stateField(s.tab, s.client), Buffer.from(s.bytes));
      if (s.client === RECORD_DELTA_CLIENT) this.deltaWrites++;
      if (s.client === RECORD_CLIENT) this.baseWrites++;
    }
    for (const d of cp.deleted) this.fields.delete(stateField(d.tab, d.client));
    for (const t of cp.types) if (!this.types.has(t.tab)) this.types.set(t.tab, t.type);
  }

  source(): StateSource {
    return {
      fetch: async (_p, states, tabs) => ({
        states: states.map(({ tab, client }) => this.fields.get(stateField(tab, client)) ?? null),
        types: tabs.map((tab) => this.types.get(tab) ?? null),
      }),
      scan: async () => ({ cursor: '0', states: [] }),
    };
  }

  /** A Tab's record as a reader sees it: the base merged with the delta, rendered at `at`. */
  record(tab: string, type: string, at: number): Record<string, unknown> | undefined {
    const handler = registry.get(type)!;
    const base = this.fields.get(stateField(tab, RECORD_CLIENT));
    if (base === undefined) return undefined;
    const delta = this.fields.get(stateField(tab, RECORD_DELTA_CLIENT)) ?? null;
    return handler.render(handler.project(storedRecordState(handler, base, delta), at));
  }
}

/** A small deterministic generator (the runs repeat). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function newTask(stored: StoredStates): Promise<TopologyTask> {
  const t = new TopologyTask(taba, 0, PARTITIONS, registry, noOutbox, new TaskMetrics(), 'tabs.dlq', { states: stored.source() });
  await t.restore(empty(), new Map());
  return t;
}

describe('Tab records as base and delta', () => {
  for (const type of ['percentile', 'unique'] as const) {
    it(`${type}: Redis's base merged with its delta is the record folded event by event, at every checkpoint and through take-overs`, async () => {
      const next = random(type === 'unique' ? 7 : 11);
      const tabs = tabsOn(0, `${type}-`, 3);
      const handler = registry.get(type)!;
      // The records folded here, one event at a time, in the order sent.
      const expected = new Map(tabs.map((tab) => [tab, handler.newState()]));
      const stored = new StoredStates();
      let task = await newTask(stored);
      let offset = 0;
      let time = now;
      for (let round = 0; round < 60; round++) {
        const records: InputRecord[] = [];
        const events = 5 + Math.floor(next() * (round < 10 ? 200 : 40));
        for (let i = 0; i < events; i++) {
          const tab = tabs[Math.floor(next() * tabs.length)]!;
          // Integer values: a merged total adds in another order than the fold, exactly only so.
          const value = type === 'unique' ? `v${Math.floor(next() * 20_000)}` : Math.floor(next() * 100_000);
          // Event time mostly moves on (by up to 5 s: buckets of every window roll out); some events come late,
          // by up to a minute or by hours (older than some windows hold).
          time += Math.floor(next() * 5000);
          const late = next();
          const at = late < 0.05 ? time - Math.floor(next() * 3 * 3_600_000) : late < 0.2 ? time - Math.floor(next() * 60_000) : time;
          const event = { tab, type, value, time: at, client: `c${Math.floor(next() * 40)}` };
          handler.fold(expected.get(tab)!, event);
          records.push({ offset: String(offset++), key: null, value: Buffer.from(JSON.stringify(event)), timestamp: String(now) });
        }
        await task.processSlice('tabs', records);
        const taken = task.checkpoint(time)!;
        stored.apply(taken.checkpoint);
        task.checkpointed();
        for (const tab of tabs) {
          expect(stored.record(tab, type, time), `${tab} after round ${round}`).toEqual(handler.render(handler.project(expected.get(tab)!, time)));
        }
        // Another task takes the partition over from what is stored, every so often.
        if (round % 9 === 8) task = await newTask(stored);
      }
      // Idle now: within a few checkpoints every record is written whole again, its delta deleted, and still the same.
      expect(tabs.some((tab) => stored.fields.has(stateField(tab, RECORD_DELTA_CLIENT)))).toBe(true);
      for (let i = 0; i < 3; i++) {
        // A record is idle once no event touched it for COMPACT_AFTER_IDLE_MS (fold-bolt.ts, compactIdleRecords).
        const taken = task.checkpoint(time + COMPACT_AFTER_IDLE_MS * (i + 1));
        if (taken === null) continue;
        stored.apply(taken.checkpoint);
        task.checkpointed();
      }
      for (const tab of tabs) {
        expect(stored.fields.has(stateField(tab, RECORD_DELTA_CLIENT)), `${tab}'s delta once idle`).toBe(false);
        expect(stored.record(tab, type, time), `${tab} once idle`).toEqual(handler.render(handler.project(expected.get(tab)!, time)));
      }
      // Both kinds of writes were made: the checks above held across deltas, bases written again, and bases with deltas read back.
      expect(stored.deltaWrites).toBeGreaterThan(60);
      expect(stored.baseWrites).toBeGreaterThan(tabs.length);
      expect(stored.baseWrites).toBeLessThan(stored.deltaWrites);
    });
  }

  it('at 100 ms checkpoints an idle record is written whole once idle for COMPACT_AFTER_IDLE_MS, at 256 records a second at most', async () => {
    const stored = new StoredStates();
    const task = await newTask(stored);
    const tabs = tabsOn(0, 'idle-', 60);
    const next = random(5);
    const send = async (events: Array<{ tab: string; value: number; client: string }>, at: number, from: number) => {
      const records = events.map((e, i) => ({ offset: String(from + i), key: null, value: Buffer.from(JSON.stringify({ ...e, type: 'percentile', time: at })), timestamp: String(now) }));
      await task.processSlice('tabs', records);
    };
    const checkpointAt = (at: number) => {
      const taken = task.checkpoint(at);
      if (taken === null) return null;
      stored.apply(taken.checkpoint);
      task.checkpointed();
      return taken.checkpoint;
    };
    // Records large enough to be held as base and delta: their bases written whole.
    const first = tabs.flatMap((tab) => Array.from({ length: 300 }, () => ({ tab, value: Math.floor(next() * 1_000_000), client: `c${Math.floor(next() * 20)}` })));
    await send(first, now, 0);
    let cp = checkpointAt(now)!;
    for (const tab of tabs) expect(cp.states.find((s) => s.tab === tab && s.client === RECORD_CLIENT)!.bytes.length).toBeGreaterThan(SMALL_RECORD_BYTES);
    // One event each: every record writes a delta.
    await send(tabs.map((tab) => ({ tab, value: 7, client: 'c1' })), now + 100, first.length);
    cp = checkpointAt(now + 100)!;
    expect(cp.states.filter((s) => s.client === RECORD_DELTA_CLIENT)).toHaveLength(tabs.length);
    // Idle at every checkpoint after, 100 ms apart: none is written whole within COMPACT_AFTER_IDLE_MS of its last event.
    const wholeAt: number[] = [];
    const idleFrom = now + 100 + COMPACT_AFTER_IDLE_MS;
    for (let at = now + 200; at < idleFrom; at += 100) {
      const taken = checkpointAt(at);
      if (taken !== null) expect(taken.states.filter((s) => s.client === RECORD_CLIENT), `written whole at +${at - now} ms`).toEqual([]);
    }
    // Then written whole, each checkpoint no more than 256 a second allows in 100 ms (the pace's unspent credit is not kept).
    for (let at = idleFrom; at <= idleFrom + 2000; at += 100) {
      const taken = checkpointAt(at);
      if (taken !== null) wholeAt.push(taken.states.filter((s) => s.client === RECORD_CLIENT).length);
    }
    expect(Math.max(...wholeAt)).toBeLessThanOrEqual(26);
    expect(wholeAt.reduce((a, b) => a + b, 0)).toBe(tabs.length);
    for (const tab of tabs) expect(stored.fields.has(stateField(tab, RECORD_DELTA_CLIENT)), `${tab}'s delta`).toBe(false);
  });

  it('a busy record emitted before idle ones does not hold their compaction back', async () => {
    const stored = new StoredStates();
    const task = await newTask(stored);
    const [busy, ...idle] = tabsOn(0, 'busy-first-', 21) as [string, ...string[]];
    const next = random(9);
    let offset = 0;
    const send = async (events: Array<{ tab: string; value: number; client: string }>, at: number) => {
      const records = events.map((e) => ({ offset: String(offset++), key: null, value: Buffer.from(JSON.stringify({ ...e, type: 'percentile', time: at })), timestamp: String(now) }));
      await task.processSlice('tabs', records);
    };
    const checkpointAt = (at: number) => {
      const taken = task.checkpoint(at);
      if (taken !== null) {
        stored.apply(taken.checkpoint);
        task.checkpointed();
      }
    };
    // The busy record first, then the others: bases written whole, then a delta each.
    for (const tab of [busy, ...idle]) await send(Array.from({ length: 300 }, () => ({ tab, value: Math.floor(next() * 1_000_000), client: `c${Math.floor(next() * 20)}` })), now);
    checkpointAt(now);
    await send([busy, ...idle].map((tab) => ({ tab, value: 7, client: 'c1' })), now + 100);
    checkpointAt(now + 100);
    for (const tab of idle) expect(stored.fields.has(stateField(tab, RECORD_DELTA_CLIENT)), `${tab}'s delta`).toBe(true);
    // The busy record takes an event every 100 ms; the others none, until each is written whole.
    for (let at = now + 200; at <= now + 100 + COMPACT_AFTER_IDLE_MS + 1000; at += 100) {
      await send([{ tab: busy, value: Math.floor(next() * 1_000_000), client: 'c2' }], at);
      checkpointAt(at);
    }
    for (const tab of idle) expect(stored.fields.has(stateField(tab, RECORD_DELTA_CLIENT)), `${tab}'s delta once idle`).toBe(false);
  });

  it('a record smaller than the threshold is written whole each time, with no delta', async () => {
    const stored = new StoredStates();
    const task = await newTask(stored);
    const [tab] = tabsOn(0, 'counter-', 1);
    for (let round = 0; round < 5; round++) {
      const event = { tab, type: 'counter', value: round, time: now + round, client: 'c1' };
      await task.processSlice('tabs', [{ offset: String(round), key: null, value: Buffer.from(JSON.stringify(event)), timestamp: String(now) }]);
      const cp = task.checkpoint(now + round)!.checkpoint;
      stored.apply(cp);
      task.checkpointed();
      const record = cp.states.find((s) => s.client === RECORD_CLIENT);
      expect(record!.bytes.length).toBeLessThan(SMALL_RECORD_BYTES);
      expect(cp.states.some((s) => s.client === RECORD_DELTA_CLIENT)).toBe(false);
      // A new record: nothing stored beside it to delete.
      expect(cp.deleted).toEqual([]);
    }
    expect(stored.record(tab!, 'counter', now + 5)).toMatchObject({ all: { count: 5, total: 10 } });
  });
});
