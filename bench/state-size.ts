// What a state costs: its serialized bytes in Redis (the value of its field in
// the partition's states hash), per Tab type, and Redis's own memory per state.
import type { Redis } from 'ioredis';
import { RedisStateStore } from '../state/redis-state-store';
import { partitionKeys } from '../state/redis-keys';

export interface StateSizes {
  states: number;
  /** Mean serialized bytes per state, by Tab type. */
  meanBytesByType: Record<string, number>;
  /** Redis MEMORY USAGE of the states hashes, per state (field, value and hash overhead). */
  redisBytesPerState: number;
}

export async function stateSizes(redis: Redis, prefix: string, topology: string, partitions: number): Promise<StateSizes> {
  const store = new RedisStateStore(redis, { prefix });
  const sums = new Map<string, { n: number; bytes: number }>();
  let states = 0;
  let redisBytes = 0;
  for (let p = 0; p < partitions; p++) {
    for await (const s of store.scanStates(topology, p, () => true)) {
      const sum = sums.get(s.type) ?? { n: 0, bytes: 0 };
      sum.n++;
      sum.bytes += s.bytes.length;
      sums.set(s.type, sum);
      states++;
    }
    redisBytes += Number((await redis.call('MEMORY', 'USAGE', partitionKeys(prefix, topology, p).states, 'SAMPLES', '0')) ?? 0);
  }
  return {
    states,
    meanBytesByType: Object.fromEntries([...sums].map(([type, s]) => [type, s.bytes / s.n])),
    redisBytesPerState: states === 0 ? Number.NaN : redisBytes / states,
  };
}
