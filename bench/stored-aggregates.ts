// Reads a Tabstream topology's states back from Redis, as the query path
// does (RedisStateStore.scanStates, the handlers' deserialize and project),
// and sums each Tab's all-time count and total over its clients.
import type { Redis } from 'ioredis';
import { defaultRegistry } from '../tabs/handlers/registry';
import { RedisStateStore } from '../state/redis-state-store';
import { isRecord, partitionKeys, RECORD_CLIENT } from '../state/redis-keys';
import { sketchCount, sketchSum, type QuantileSketch } from '../tabs/sketches/quantile-sketch';
import { storedRecordState } from '../state/stored-record';
import type { TabActual } from './aggregate-check';

/** The all-time cell of a projection, whatever the type keeps in it. */
export function allTime(type: string, projection: unknown): { count: number; total: number } {
  const p = projection as Record<string, unknown>;
  if (type === 'gauge') return { count: p.count as number, total: 0 };
  // A percentile's cells are flat sketches (tabs/sketches/quantile-sketch.ts).
  if (type === 'percentile') return { count: sketchCount(p.all as QuantileSketch), total: sketchSum(p.all as QuantileSketch) };
  const all = p.all as { count: number; total?: number };
  return { count: all.count, total: all.total ?? 0 };
}

export async function storedAggregates(redis: Redis, prefix: string, topology: string, partitions: number): Promise<Map<string, TabActual>> {
  // Client states only: a Tab record (client `*`) is their merge.
  return allTimeSums(redis, prefix, topology, partitions, (client) => !isRecord(client));
}

/**
 * Each Tab's all-time count and total as its record (client `*`, merged with
 * its delta `*+` where Redis holds one) holds them: what the queries read,
 * where storedAggregates reads the client states they merge. Tabs whose
 * type keeps no record are left out.
 */
export async function storedRecordAggregates(redis: Redis, prefix: string, topology: string, partitions: number): Promise<Map<string, TabActual>> {
  const store = new RedisStateStore(redis, { prefix });
  const registry = defaultRegistry();
  const now = Date.now();
  const out = new Map<string, TabActual>();
  for (let p = 0; p < partitions; p++) {
    const bases = new Map<string, { type: string; bytes: Buffer }>();
    const deltas = new Map<string, Buffer>();
    for await (const s of store.scanStates(topology, p, (_tab, client) => isRecord(client))) {
      if (s.client === RECORD_CLIENT) bases.set(s.tab, { type: s.type, bytes: s.bytes });
      else deltas.set(s.tab, s.bytes);
    }
    for (const [tab, { type, bytes }] of bases) {
      const handler = registry.get(type)!;
      // A fold keyed by client would leave a record of the Tab in each partition: they add up.
      addAllTime(out, tab, type, handler.project(storedRecordState(handler, bytes, deltas.get(tab) ?? null), now));
    }
  }
  return out;
}

/** Per Tab, the all-time counts and totals of its stored states whose client `take` accepts, summed. */
async function allTimeSums(redis: Redis, prefix: string, topology: string, partitions: number, take: (client: string) => boolean): Promise<Map<string, TabActual>> {
  const store = new RedisStateStore(redis, { prefix });
  const registry = defaultRegistry();
  const now = Date.now();
  const out = new Map<string, TabActual>();
  for (let p = 0; p < partitions; p++) {
    for await (const s of store.scanStates(topology, p, (_tab, client) => take(client))) {
      const handler = registry.get(s.type)!;
      addAllTime(out, s.tab, s.type, handler.project(handler.deserialize(s.bytes), now));
    }
  }
  return out;
}

/** Adds a projection's all-time count and total to its Tab's sums. */
function addAllTime(out: Map<string, TabActual>, tab: string, type: string, projection: unknown): void {
  const { count, total } = allTime(type, projection);
  const a = out.get(tab) ?? { type, count: 0, total: 0 };
  a.count += count;
  a.total += total;
  out.set(tab, a);
}

/** The types of the default registry that keep a Tab record (their handler merges states). */
export function typesWithRecords(): Set<string> {
  const registry = defaultRegistry();
  return new Set(registry.types().filter((type) => registry.get(type)?.mergeState !== undefined));
}

/** Per partition, the messages flushed to Redis so far (watermark + 1) and the generation of its last claim (-1: never claimed). */
export async function partitionProgress(redis: Redis, prefix: string, topology: string, partitions: number): Promise<Array<{ flushed: number; generation: number }>> {
  const pipeline = redis.pipeline();
  for (let p = 0; p < partitions; p++) pipeline.hmget(partitionKeys(prefix, topology, p).meta, 'watermark', 'generation');
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value]) => {
    const [watermark, generation] = err === null ? (value as Array<string | null>) : [null, null];
    return { flushed: watermark === null ? 0 : Number(watermark) + 1, generation: generation === null ? -1 : Number(generation) };
  });
}
