import Redis from 'ioredis';

export interface RedisClientOptions {
  /**
   * A command unanswered this long fails (StateStoreUnavailableError once
   * mapped): a hung Redis (paused, overloaded, behind a dead link) must never
   * hang a caller. Default 3000.
   */
  timeoutMs?: number;
  /** Reconnection attempts a command waits for before it fails; default 2. */
  maxRetriesPerRequest?: number;
}

/**
 * An ioredis client as every Tabstream component uses one: every command and
 * every connection attempt has a timeout, and a lost connection is re-opened
 * by ioredis itself. Connection errors surface where they matter, as the
 * failing command's error; the 'error' event itself is silenced, or ioredis
 * prints an "Unhandled error event" trace per retry.
 */
export function redisClient(url: string, opts: RedisClientOptions = {}): Redis {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const redis = new Redis(url, {
    maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 2,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    // Reconnect soon after Redis is back (ioredis' default waits up to 2 s between tries).
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  redis.on('error', () => {});
  return redis;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 3000;

export { CLIENT_TIMEOUT_MS } from './client-timeouts';
