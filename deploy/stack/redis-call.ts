// One question to one Redis server (or Sentinel) of the stack, on a connection
// of its own that never retries and never waits longer than its timeout: what
// the readiness probes and the cluster and Sentinel set-up ask.
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';

export const REDIS_CALL_TIMEOUT_MS = 2_000;

/**
 * What `ask` resolves to on 127.0.0.1:`port` (over TLS with `tls`, logged in
 * as `auth`'s user), or undefined when it does not answer in time (or answers an error).
 */
export async function askRedis<T>(
  port: number,
  ask: (redis: Redis) => Promise<T>,
  timeoutMs = REDIS_CALL_TIMEOUT_MS,
  tls?: ConnectionOptions,
  auth?: { username: string; password: string },
): Promise<T | undefined> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    ...(tls && { tls }),
    ...(auth && { username: auth.username, password: auth.password }),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await ask(redis);
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** `INFO <section>` or `CLUSTER INFO` as fields: `role:slave` -> { role: 'slave' }. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/** A section of INFO (`replication`) or CLUSTER INFO (`cluster`) of the server on `port`, as fields; undefined when it does not answer. */
export async function infoOf(port: number, section: 'replication' | 'cluster'): Promise<Record<string, string> | undefined> {
  const text = await askRedis(port, (redis) => (section === 'cluster' ? redis.call('CLUSTER', 'INFO') : redis.info(section)));
  return typeof text === 'string' ? parseInfo(text) : undefined;
}
