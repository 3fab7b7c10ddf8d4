// The test stack's Redis: MULTI/EXEC is atomic and optimistic (WATCH), and a
// Lua script runs as one step, like the fenced state writes the sink makes.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testStack } from '../support/stack-env';

const stack = testStack();
const prefix = `stack-redis-test:${process.pid}:${Date.now()}`;

describe('Redis on the test stack', () => {
  const redis = new Redis(stack.redis);
  const other = new Redis(stack.redis);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    other.disconnect();
  });

  it('answers PING and runs a MULTI/EXEC transaction as a whole', async () => {
    expect(await redis.ping()).toBe('PONG');
    const results = await redis
      .multi()
      .hset(`${prefix}:state`, 'count', '3')
      .hincrby(`${prefix}:state`, 'count', 4)
      .set(`${prefix}:watermark`, '41')
      .exec();
    expect(results).toEqual([
      [null, 1],
      [null, 7],
      [null, 'OK'],
    ]);
    expect(await redis.hget(`${prefix}:state`, 'count')).toBe('7');
  });

  it('aborts a transaction whose watched key another client changed', async () => {
    const key = `${prefix}:watched`;
    await redis.set(key, 'a');
    await redis.watch(key);
    await other.set(key, 'b');
    const results = await redis.multi().set(key, 'c').exec();
    expect(results).toBeNull();
    expect(await redis.get(key)).toBe('b');
  });

  it('runs a Lua script atomically: a write with an older epoch is refused', async () => {
    // KEYS[1] epoch, KEYS[2] value; ARGV[1] writer's epoch, ARGV[2] value.
    const fencedSet = `
      local current = tonumber(redis.call('GET', KEYS[1]) or '0')
      local epoch = tonumber(ARGV[1])
      if epoch < current then return 0 end
      redis.call('SET', KEYS[1], epoch)
      redis.call('SET', KEYS[2], ARGV[2])
      return 1`;
    const keys = [`${prefix}:{p0}:epoch`, `${prefix}:{p0}:value`];
    expect(await redis.eval(fencedSet, 2, ...keys, 2, 'from-epoch-2')).toBe(1);
    expect(await redis.eval(fencedSet, 2, ...keys, 1, 'from-epoch-1')).toBe(0);
    expect(await redis.get(keys[1]!)).toBe('from-epoch-2');
    expect(await redis.eval(fencedSet, 2, ...keys, 3, 'from-epoch-3')).toBe(1);
    expect(await redis.get(keys[1]!)).toBe('from-epoch-3');
  });
});
