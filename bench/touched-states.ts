// Exactness where the state count is too large to read back whole: each
// (Tab, client) state some event touched must hold what was there before
// (preloaded) plus those events, each Tab's sum over those states the same,
// and each touched Tab's record what it held plus every event of its Tab.
// Untouched states are never written (a checkpoint writes dirty
// states only), so they are left out.
import type { Redis } from 'ioredis';
import { partitionForKey } from '../client/partition-for-key';
import { defaultRegistry } from '../tabs/handlers/registry';
import { partitionKeys, RECORD_CLIENT, RECORD_DELTA_CLIENT, stateField } from '../state/redis-keys';
import { aggregateProblems, type TabActual } from './aggregate-check';
import { allTime } from './stored-aggregates';
import { storedRecordState } from '../state/stored-record';
import { clientName, tabName, tabType, type TabExpectation } from './workload';

export interface CountTotal {
  count: number;
  total: number;
}

export interface TouchedCheck {
  states: number;
  tabs: number;
  /** States whose count or total is not what they should hold. */
  wrongStates: number;
  /** Per Tab (over its touched states), then per state; empty when exact. */
  problems: string[];
}

/** Percentile totals are float sums, added in another order than here. */
const RELATIVE_TOLERANCE = 1e-9;
const FIELDS_PER_CALL = 1_000;
const CALLS_PER_ROUND = 50;

/**
 * Reads every touched state back (HMGET, pipelined) and compares it with
 * `before(tab, client)` plus the events of `touched` (by state index: Tab
 * index × clients + client index); `touched` maps may be several (the run,
 * a trickle after it), their events add up.
 */
export async function checkTouchedStates(opts: {
  redis: Redis;
  prefix: string;
  topology: string;
  partitions: number;
  clients: number;
  touched: Array<Map<number, CountTotal>>;
  before: (tab: number, client: number) => CountTotal;
  /** What each Tab's record (client `*`) held before: then it must hold that plus every event of its Tab; null for a type without records. */
  beforeRecord?: (tab: number) => CountTotal | null;
}): Promise<TouchedCheck & { records: number; wrongRecords: number }> {
  const want = new Map<number, CountTotal>();
  for (const map of opts.touched) {
    for (const [at, e] of map) {
      const w = want.get(at);
      if (w === undefined) {
        const b = opts.before(Math.floor(at / opts.clients), at % opts.clients);
        want.set(at, { count: b.count + e.count, total: b.total + e.total });
      } else {
        w.count += e.count;
        w.total += e.total;
      }
    }
  }
  const byPartition = Array.from({ length: opts.partitions }, () => [] as number[]);
  const partitionOf = new Map<number, number>();
  for (const at of want.keys()) {
    const tab = Math.floor(at / opts.clients);
    let p = partitionOf.get(tab);
    if (p === undefined) partitionOf.set(tab, (p = partitionForKey(tabName(tab), opts.partitions)));
    byPartition[p]!.push(at);
  }
  const registry = defaultRegistry();
  const now = Date.now();
  const actualTabs = new Map<string, TabActual>();
  const expectedTabs = new Map<string, TabExpectation>();
  const stateProblems: string[] = [];
  let wrongStates = 0;
  const compare = (at: number, bytes: Buffer | null) => {
    const tab = Math.floor(at / opts.clients);
    const name = tabName(tab);
    const type = tabType(tab);
    const w = want.get(at)!;
    const handler = registry.get(type)!;
    const got = bytes === null ? { count: 0, total: 0 } : allTime(type, handler.project(handler.deserialize(bytes), now));
    const e = expectedTabs.get(name) ?? { type, count: 0, total: 0 };
    e.count += w.count;
    e.total += w.total;
    expectedTabs.set(name, e);
    const a = actualTabs.get(name) ?? { type, count: 0, total: 0 };
    a.count += got.count;
    a.total += got.total;
    actualTabs.set(name, a);
    if (got.count !== w.count || Math.abs(got.total - w.total) > RELATIVE_TOLERANCE * Math.max(1, Math.abs(w.total))) {
      wrongStates++;
      if (stateProblems.length < 5) {
        stateProblems.push(`${name}/${clientName(at % opts.clients)}: ${bytes === null ? 'missing' : `got ${got.count}/${got.total}`}, want ${w.count}/${w.total}`);
      }
    }
  };
  for (let p = 0; p < opts.partitions; p++) {
    const key = partitionKeys(opts.prefix, opts.topology, p).states;
    const states = byPartition[p]!;
    for (let from = 0; from < states.length; from += FIELDS_PER_CALL * CALLS_PER_ROUND) {
      const round = opts.redis.pipeline();
      const calls: number[][] = [];
      for (let at = from; at < Math.min(states.length, from + FIELDS_PER_CALL * CALLS_PER_ROUND); at += FIELDS_PER_CALL) {
        const chunk = states.slice(at, at + FIELDS_PER_CALL);
        calls.push(chunk);
        round.hmgetBuffer(key, ...chunk.map((s) => stateField(tabName(Math.floor(s / opts.clients)), clientName(s % opts.clients))));
      }
      const replies = (await round.exec()) ?? [];
      replies.forEach(([err, reply], i) => {
        if (err) throw err;
        const chunk = calls[i]!;
        (reply as Array<Buffer | null>).forEach((bytes, j) => compare(chunk[j]!, bytes));
      });
    }
  }
  const records = opts.beforeRecord === undefined ? { records: 0, wrongRecords: 0, problems: [] } : await checkRecords(opts, opts.beforeRecord, partitionOf);
  return {
    states: want.size,
    tabs: expectedTabs.size,
    wrongStates,
    records: records.records,
    wrongRecords: records.wrongRecords,
    problems: [...aggregateProblems(actualTabs, expectedTabs, 5), ...stateProblems, ...records.problems],
  };
}

/** Each touched Tab's record against what it held before plus every event of the Tab. */
async function checkRecords(
  opts: { redis: Redis; prefix: string; topology: string; clients: number; touched: Array<Map<number, CountTotal>> },
  beforeRecord: (tab: number) => CountTotal | null,
  partitionOf: ReadonlyMap<number, number>,
): Promise<{ records: number; wrongRecords: number; problems: string[] }> {
  const want = new Map<number, CountTotal>();
  for (const map of opts.touched) {
    for (const [at, e] of map) {
      const tab = Math.floor(at / opts.clients);
      let w = want.get(tab);
      if (w === undefined) {
        const b = beforeRecord(tab);
        if (b === null) continue;
        want.set(tab, (w = { ...b }));
      }
      w.count += e.count;
      w.total += e.total;
    }
  }
  const registry = defaultRegistry();
  const now = Date.now();
  const problems: string[] = [];
  let wrongRecords = 0;
  const tabs = [...want.keys()];
  for (let from = 0; from < tabs.length; from += FIELDS_PER_CALL * CALLS_PER_ROUND) {
    const round = opts.redis.pipeline();
    const slice = tabs.slice(from, from + FIELDS_PER_CALL * CALLS_PER_ROUND);
    // The record is its base merged with its delta, where Redis holds one (docs/redis-layout.md).
    for (const tab of slice) {
      round.hmgetBuffer(partitionKeys(opts.prefix, opts.topology, partitionOf.get(tab)!).states, stateField(tabName(tab), RECORD_CLIENT), stateField(tabName(tab), RECORD_DELTA_CLIENT));
    }
    const replies = (await round.exec()) ?? [];
    replies.forEach(([err, reply], i) => {
      if (err) throw err;
      const [bytes, delta] = reply as [Buffer | null, Buffer | null];
      const tab = slice[i]!;
      const type = tabType(tab);
      const handler = registry.get(type)!;
      const w = want.get(tab)!;
      const got = bytes === null ? { count: 0, total: 0 } : allTime(type, handler.project(storedRecordState(handler, bytes, delta), now));
      if (got.count !== w.count || Math.abs(got.total - w.total) > RELATIVE_TOLERANCE * Math.max(1, Math.abs(w.total))) {
        wrongRecords++;
        if (problems.length < 5) problems.push(`${tabName(tab)}/*: ${bytes === null ? 'missing' : `got ${got.count}/${got.total}`}, want ${w.count}/${w.total}`);
      }
    });
  }
  return { records: want.size, wrongRecords, problems };
}
