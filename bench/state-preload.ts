// Taba's full production state, written straight into Redis before a run:
// every (Tab, client) state of a shape, in the layout a worker's checkpoint
// leaves (docs/redis-layout.md): the handlers' own serialized states in
// `ts:{T:p}:states`, each Tab's type in `ts:{T:p}:types`, and a meta hash
// as a previous owner's last checkpoint leaves it. Each Tab goes to the
// partition its key hashes to (Kafka's partitioner), so a worker taking the
// partition up finds its Tabs' states there, as its own history. With them,
// as a checkpoint keeps them: each windowed Tab's record (client `*`, the
// merge of its client states), each Tab's client count, and `records_at`.
import type { Redis } from 'ioredis';
import { partitionForKey } from '../client/partition-for-key';
import type { TabEvent } from '../tabs/event';
import { defaultRegistry } from '../tabs/handlers/registry';
import { partitionKeys, RECORD_CLIENT, stateField } from '../state/redis-keys';
import { allTime } from './stored-aggregates';
import { clientName, tabName, tabType, type TabType } from './workload';

export interface PreloadOptions {
  redis: Redis;
  prefix: string;
  topology: string;
  partitions: number;
  tabs: number;
  clients: number;
  /** Event time of the states' events, epoch ms (they are older than the run's). */
  time: number;
  log: (line: string) => void;
}

export interface PreloadResult {
  states: number;
  /** Events folded into the preloaded states, over all of them. */
  events: number;
  seconds: number;
  /** Redis `used_memory` after the load, bytes. */
  redisUsedMemoryBytes: number;
  /** Stored bytes of one state, by type. */
  bytesByType: Record<TabType, number>;
  /** What a preloaded state holds: its all-time count and total. */
  stored(tab: number, client: number): { count: number; total: number };
  /** What a preloaded Tab record holds (the sum over its clients' states); null for a type without records. */
  storedRecord(tab: number): { count: number; total: number } | null;
}

/** Distinct preloaded states per type: a state is one of these, by its Tab and client. */
const VARIANTS = 16;
/** Events folded into each preloaded state. */
const EVENTS_PER_STATE = 2;
/** States per HSET call, and HSET calls per pipelined round (two rounds in flight). */
const STATES_PER_CALL = 2_000;
const CALLS_PER_ROUND = 25;

interface Variant {
  bytes: Buffer;
  count: number;
  total: number;
}

/** Two events of the type, values varying with `k`, seconds apart before `time`. */
function variantEvents(type: TabType, k: number, time: number): TabEvent[] {
  const value = (i: number): number | string => {
    switch (type) {
      case 'counter':
        return ((k + 3 * i) % 10) + 1;
      case 'percentile':
        return Number((0.05 + 0.037 * k + 0.11 * i).toFixed(3));
      case 'unique':
        return `user-${k * EVENTS_PER_STATE + i}`;
      case 'gauge':
        return k * 10 + i;
    }
  };
  return Array.from({ length: EVENTS_PER_STATE }, (_, i) => ({
    tab: `preload.${type}`,
    type,
    client: 'preload',
    value: value(i),
    time: time - (EVENTS_PER_STATE - i) * 1000 - k * 7_000,
  }));
}

/** Each type's states, built by its handler: fold the events, serialize, and read back what a query will see. */
function buildVariants(time: number): Record<TabType, Variant[]> {
  const registry = defaultRegistry();
  const types: TabType[] = ['counter', 'percentile', 'unique', 'gauge'];
  return Object.fromEntries(
    types.map((type) => {
      const handler = registry.get(type)!;
      const variants = Array.from({ length: VARIANTS }, (_, k) => {
        const state = handler.newState();
        for (const event of variantEvents(type, k, time)) handler.fold(state, event);
        const bytes = Buffer.from(handler.serialize(state));
        const { count, total } = allTime(type, handler.project(handler.deserialize(bytes), time));
        return { bytes, count, total };
      });
      return [type, variants];
    }),
  ) as Record<TabType, Variant[]>;
}

const variantOf = (tab: number, client: number): number => (tab * 7 + client) % VARIANTS;

/**
 * Each Tab's record, as a fold task keeps it: its clients' states merged.
 * Which variants a Tab's clients hold depends only on tab·7 mod VARIANTS,
 * so a type has at most VARIANTS records, each merged once.
 */
function recordBuilder(variants: Record<TabType, Variant[]>, clients: number): (tab: number) => Buffer | null {
  const registry = defaultRegistry();
  const built = new Map<string, Buffer | null>();
  return (tab) => {
    const type = tabType(tab);
    const key = `${type}:${(tab * 7) % VARIANTS}`;
    let bytes = built.get(key);
    if (bytes === undefined) {
      const handler = registry.get(type)!;
      if (handler.mergeState === undefined) {
        bytes = null;
      } else {
        const record = handler.newState();
        for (let c = 0; c < clients; c++) handler.mergeState(record, handler.deserialize(variants[type][variantOf(tab, c)]!.bytes));
        bytes = Buffer.from(handler.serialize(record));
      }
      built.set(key, bytes);
    }
    return bytes;
  };
}

export async function preloadStates(opts: PreloadOptions): Promise<PreloadResult> {
  const started = Date.now();
  const variants = buildVariants(opts.time);
  const recordOf = recordBuilder(variants, opts.clients);
  const total = opts.tabs * opts.clients;
  const clients = Array.from({ length: opts.clients }, (_, c) => clientName(c));
  const byPartition = Array.from({ length: opts.partitions }, () => ({ states: 0, types: [] as string[], counts: [] as string[] }));
  // One call's arguments per partition, filled Tab by Tab; sent when full.
  const pending: Array<Array<string | Buffer>> = Array.from({ length: opts.partitions }, () => []);
  let round = opts.redis.pipeline();
  let calls = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  let written = 0;
  let nextReport = 1_000_000;
  // The previous round must be in before the next goes: at most two in flight, so memory stays bounded.
  const sendRound = async () => {
    await inFlight;
    inFlight = round.exec().then(checkReplies);
    round = opts.redis.pipeline();
    calls = 0;
  };
  const send = async (p: number) => {
    round.hset(partitionKeys(opts.prefix, opts.topology, p).states, ...pending[p]!);
    pending[p] = [];
    if (++calls >= CALLS_PER_ROUND) await sendRound();
  };
  for (let t = 0; t < opts.tabs; t++) {
    const tab = tabName(t);
    const type = tabType(t);
    const p = partitionForKey(tab, opts.partitions);
    const part = byPartition[p]!;
    part.types.push(tab, type);
    part.counts.push(tab, String(opts.clients));
    part.states += opts.clients;
    const record = recordOf(t);
    if (record !== null) pending[p]!.push(stateField(tab, RECORD_CLIENT), record);
    for (let c = 0; c < opts.clients; c++) {
      // `send` starts a new array for the partition: look it up each time.
      const args = pending[p]!;
      args.push(stateField(tab, clients[c]!), variants[type][variantOf(t, c)]!.bytes);
      if (args.length >= 2 * STATES_PER_CALL) await send(p);
    }
    written += opts.clients;
    if (written >= nextReport) {
      opts.log(`preload: ${written.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} states (${Math.round(written / ((Date.now() - started) / 1000)).toLocaleString('en-US')}/s)`);
      nextReport += 1_000_000;
    }
  }
  for (let p = 0; p < opts.partitions; p++) if (pending[p]!.length > 0) await send(p);
  if (calls > 0) await sendRound();
  await inFlight;
  // Types and meta last: a previous owner (generation 1, token 1) checkpointed these states; nothing of this topic is folded yet (watermark -1).
  const last = opts.redis.pipeline();
  const now = Date.now();
  byPartition.forEach((part, p) => {
    const keys = partitionKeys(opts.prefix, opts.topology, p);
    if (part.types.length > 0) last.hset(keys.types, ...part.types);
    if (part.counts.length > 0) last.hset(keys.clients, ...part.counts);
    last.hset(keys.meta, 'generation', '1', 'token', '1', 'checkpoint', '1:1', 'watermark', '-1', 'records_at', '-1', 'flushed_at', String(now), 'events', String(part.states * EVENTS_PER_STATE));
  });
  checkReplies(await last.exec());
  const memory = /used_memory:(\d+)/.exec(await opts.redis.info('memory'))?.[1];
  const seconds = (Date.now() - started) / 1000;
  opts.log(`preload: ${total.toLocaleString('en-US')} states in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')}/s), Redis uses ${(Number(memory) / 2 ** 20).toFixed(0)} MiB`);
  return {
    states: total,
    events: total * EVENTS_PER_STATE,
    seconds,
    redisUsedMemoryBytes: Number(memory),
    bytesByType: Object.fromEntries(Object.entries(variants).map(([type, vs]) => [type, vs.reduce((sum, v) => sum + v.bytes.length, 0) / vs.length])) as Record<TabType, number>,
    stored: (tab, client) => {
      const v = variants[tabType(tab)][variantOf(tab, client)]!;
      return { count: v.count, total: v.total };
    },
    storedRecord: (tab) => {
      if (recordOf(tab) === null) return null;
      const sum = { count: 0, total: 0 };
      for (let c = 0; c < opts.clients; c++) {
        const v = variants[tabType(tab)][variantOf(tab, c)]!;
        sum.count += v.count;
        sum.total += v.total;
      }
      return sum;
    },
  };
}

function checkReplies(replies: Array<[Error | null, unknown]> | null): void {
  for (const [err] of replies ?? []) if (err) throw new Error(`preload: Redis refused a write: ${err.message}`);
}
