import type { RedisConnection } from './redis-client';

/**
 * Cursor scans of big hashes and sets, so loading a partition never asks
 * Redis for one giant reply (HGETALL/SMEMBERS block the server while they
 * build it). SCAN may return an element twice; callers that care dedupe.
 */
export async function* scanHash(redis: RedisConnection, key: string, count: number): AsyncGenerator<[Buffer, Buffer]> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscanBuffer(key, cursor, 'COUNT', count);
    cursor = next.toString();
    for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i], flat[i + 1]];
  } while (cursor !== '0');
}

export async function* scanSet(redis: RedisConnection, key: string, count: number): AsyncGenerator<string> {
  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(key, cursor, 'COUNT', count);
    cursor = next;
    yield* members;
  } while (cursor !== '0');
}
