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
  let value: Map<string, string>;
  let fsyncUnknown: string | null = null;
  try {
    // The settings named, not `*`: CONFIG GET * would answer the replication password (masterauth) too.
    value = pairs((await redis.call('CONFIG', 'GET', 'appendonly', 'appendfsync', 'maxmemory-policy', 'maxmemory')) as string[]);
  } catch (err) {
    // CONFIG is often disabled on managed services, and left out of a least-privilege ACL user (docs/security.md): INFO says all but appendfsync.
    const reason = (err as Error).message;
    try {
      value = await infoSettings(redis);
    } catch {
      return [`could not read Redis's configuration (${reason}): check yourself that it runs with appendonly yes, appendfsync always and maxmemory-policy noeviction`];
    }
    fsyncUnknown = reason;
  }
  const warnings: string[] = [];
  if (value.get('appendonly') !== 'yes') {
    warnings.push('Redis runs without an append-only file (appendonly no): a crash loses acknowledged checkpoints; workers then replay from the watermark Redis kept');
  } else if (fsyncUnknown !== null) {
    warnings.push(`could not read Redis's appendfsync (CONFIG GET: ${fsyncUnknown}): check yourself that it is 'always', or a crash may lose the last acknowledged checkpoints`);
  } else if (value.get('appendfsync') !== 'always') {
    warnings.push(`Redis syncs its append-only file '${value.get('appendfsync')}', not 'always': a crash may lose the last acknowledged checkpoints; workers then replay from the watermark Redis kept`);
  }
  const policy = value.get('maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction' && value.get('maxmemory') !== '0') {
    warnings.push(`Redis may evict keys (maxmemory-policy ${policy}): evicted states are lost for good; use noeviction`);
  }
  return warnings;
}

function pairs(flat: string[]): Map<string, string> {
  const value = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) value.set(flat[i]!, flat[i + 1]!);
  return value;
}

/** appendonly, maxmemory-policy and maxmemory as INFO tells them (`aof_enabled`, `maxmemory_policy`, `maxmemory`). */
async function infoSettings(redis: Redis): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  for (const line of `${await redis.info('persistence')}\n${await redis.info('memory')}`.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  if (!fields.has('aof_enabled')) throw new Error('INFO persistence has no aof_enabled');
  const value = new Map<string, string>([['appendonly', fields.get('aof_enabled') === '1' ? 'yes' : 'no']]);
  if (fields.has('maxmemory_policy')) value.set('maxmemory-policy', fields.get('maxmemory_policy')!);
  if (fields.has('maxmemory')) value.set('maxmemory', fields.get('maxmemory')!);
  return value;
}
