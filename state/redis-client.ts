import Redis from 'ioredis';

/**
 * An ioredis client for short commands. Connection errors surface where they
 * matter, as the failing command's error; the 'error' event itself is
 * silenced, or ioredis prints an "Unhandled error event" trace per retry.
 */
export function redisClient(url: string, maxRetriesPerRequest = 2): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest });
  redis.on('error', () => {});
  return redis;
}
