import type { Redis } from 'ioredis';
import { isCluster, type RedisConnection } from './redis-client';

/**
 * What a Redis server promises about the writes it acknowledged, as the
 * checkpoint protocol needs it (DESIGN.md): an append-only file synced on
 * every write, and no eviction. Returns one line per promise it does not
 * make (empty when it makes them all), or a line saying it could not be
 * asked (CONFIG is often disabled on managed services).
 */
export async function redisDurabilityWarnings(redis: RedisConnection): Promise<string[]> {
  if (!isCluster(redis)) return serverWarnings(redis);
  // Every master of a cluster holds some partitions: each must make the promises. Its nodes are known once it answered.
  try {
    await redis.ping();
  } catch (err) {
    return [`could not reach the Redis Cluster to read its configuration (${(err as Error).message})`];
  }
  const perMaster = await Promise.all(
    redis.nodes('master').map(async (node) => (await serverWarnings(node)).map((warning) => `${node.options.host}:${node.options.port}: ${warning}`)),
  );
  return perMaster.flat();
}

async function serverWarnings(redis: Redis): Promise<string[]> {
  let config: string[];
  try {
    config = (await redis.call('CONFIG', 'GET', '*')) as string[];
  } catch (err) {
    return [`could not read Redis's configuration (${(err as Error).message}): check yourself that it runs with appendonly yes, appendfsync always and maxmemory-policy noeviction`];
  }
  const value = new Map<string, string>();
  for (let i = 0; i + 1 < config.length; i += 2) value.set(config[i]!, config[i + 1]!);
  const warnings: string[] = [];
  if (value.get('appendonly') !== 'yes') {
    warnings.push('Redis runs without an append-only file (appendonly no): a crash loses acknowledged checkpoints; workers then replay from the watermark Redis kept');
  } else if (value.get('appendfsync') !== 'always') {
    warnings.push(`Redis syncs its append-only file '${value.get('appendfsync')}', not 'always': a crash may lose the last acknowledged checkpoints; workers then replay from the watermark Redis kept`);
  }
  const policy = value.get('maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction' && value.get('maxmemory') !== '0') {
    warnings.push(`Redis may evict keys (maxmemory-policy ${policy}): evicted states are lost for good; use noeviction`);
  }
  return warnings;
}
