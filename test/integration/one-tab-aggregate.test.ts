// An aggregate of one Tab across all its clients reads its type, record and
// client count in every partition in one round (readTabAcrossPartitions),
// guessing the partition count from the last read. Here against the test
// stack's Redis, with states written straight in the stored layout: records
// where they exist, client states merged where a partition has none, and a
// topology grown to more partitions answered in full at the first query
// after (the guess is checked in the same round).
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { RedisStateStore } from '../../state/redis-state-store';
import { partitionCountKey, partitionKeys, RECORD_CLIENT, stateField } from '../../state/redis-keys';
import { TabQuery } from '../../state/tab-query';
import { testStack } from '../support/stack-env';

const stack = testStack();
const prefix = `ts-onetab-${process.pid}-${Date.now()}`;
const topology = 'onetab';
const registry = defaultRegistry();
const counter = registry.get('counter')!;
const now = Date.now();

/** A counter state that folded `values` a minute ago. */
function counterBytes(values: number[]): Buffer {
  const state = counter.newState();
  for (const value of values) counter.fold(state, { tab: 't', client: 'c', type: 'counter', value, time: now - 60_000 });
  return Buffer.from(counter.serialize(state));
}

describe('one Tab aggregate in one round', () => {
  const redis = new Redis(stack.redis);
  const store = new RedisStateStore(redis, { prefix });
  const query = () => new TabQuery(store, registry, topology);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function put(partition: number, tab: string, states: Record<string, number[]>, record: number[] | null): Promise<void> {
    const keys = partitionKeys(prefix, topology, partition);
    await redis.hset(keys.types, tab, 'counter');
    for (const [client, values] of Object.entries(states)) await redis.hset(keys.states, stateField(tab, client), counterBytes(values));
    if (record !== null) {
      await redis.hset(keys.states, stateField(tab, RECORD_CLIENT), counterBytes(record));
      await redis.hset(keys.clients, tab, String(Object.keys(states).length));
    }
    // As a checkpoint of this version leaves it: the records agree with the states at the watermark.
    await redis.hset(keys.meta, 'watermark', '41', 'records_at', '41');
  }

  it('reads records, merges client states where a partition has no record, and sees partitions added since its last read', async () => {
    await redis.set(partitionCountKey(prefix, topology), '2');
    // `bids`: clients spread over both partitions, each with its record.
    await put(0, 'bids', { a: [1, 2], b: [3] }, [1, 2, 3]);
    await put(1, 'bids', { c: [10] }, [10]);
    // `wins`: client states only (no worker rebuilt its record yet).
    await put(1, 'wins', { a: [5], b: [7, 1] }, null);

    const bids = (await query().aggregate('bids')).bids!;
    expect(bids.clients).toBe(3);
    expect(bids['1h']).toMatchObject({ count: 4, total: 16 });
    const wins = (await query().aggregate('wins')).wins!;
    expect(wins.clients).toBe(2);
    expect(wins['1h']).toMatchObject({ count: 3, total: 13 });
    expect(await query().aggregate('nosuch')).toEqual({});

    // The topology grows to 3 partitions: the store's guess (2) is wrong once, and checked in the same round.
    await redis.set(partitionCountKey(prefix, topology), '3');
    await put(2, 'bids', { d: [100, 100] }, [100, 100]);
    const grown = (await query().aggregate('bids')).bids!;
    expect(grown.clients).toBe(4);
    expect(grown['1h']).toMatchObject({ count: 6, total: 216 });
  });

  it('merges the client states of a partition whose records lag its watermark (written since by a worker without records)', async () => {
    await redis.set(partitionCountKey(prefix, topology), '3');
    // A stale record (one event) beside client states that folded three since.
    await put(0, 'stale', { a: [1, 1], b: [1] }, [1]);
    const keys = partitionKeys(prefix, topology, 0);
    expect((await query().aggregate('stale')).stale!['1h']).toMatchObject({ count: 1 });
    await redis.hset(keys.meta, 'watermark', '57');
    expect((await query().aggregate('stale')).stale!['1h']).toMatchObject({ count: 3, total: 3 });
    expect((await query().aggregate('sta.*')).stale!['1h']).toMatchObject({ count: 3, total: 3 });
  });

  it('renders a unique record from its bytes alone, and merges unique records of several partitions', async () => {
    await redis.set(partitionCountKey(prefix, topology), '3');
    const unique = registry.get('unique')!;
    const uniqueBytes = (values: string[]): Buffer => {
      const state = unique.newState();
      for (const value of values) unique.fold(state, { tab: 't', client: 'c', type: 'unique', value, time: now - 60_000 });
      return Buffer.from(unique.serialize(state));
    };
    const putUnique = async (partition: number, tab: string, values: string[], clients: number): Promise<void> => {
      const keys = partitionKeys(prefix, topology, partition);
      await redis.hset(keys.types, tab, 'unique');
      await redis.hset(keys.states, stateField(tab, RECORD_CLIENT), uniqueBytes(values));
      await redis.hset(keys.clients, tab, String(clients));
      await redis.hset(keys.meta, 'watermark', '41', 'records_at', '41');
    };
    // `visitors` in one partition (rendered from bytes); `users` in two (projected and merged): 5 events, 4 distinct values.
    await putUnique(0, 'visitors', ['u1', 'u2', 'u2'], 2);
    await putUnique(0, 'users', ['a', 'b', 'c'], 2);
    await putUnique(1, 'users', ['c', 'd'], 1);
    for (const all of [await query().aggregate('.*'), { ...(await query().aggregate('users')), ...(await query().aggregate('visitors')) }]) {
      expect(all.visitors).toMatchObject({ type: 'unique', clients: 2, '1h': { count: 3, distinct: 2 }, all: { count: 3, distinct: 2 } });
      expect(all.users).toMatchObject({ type: 'unique', clients: 3, '1h': { count: 5, distinct: 4 }, '1m': { count: 0, distinct: 0 } });
    }
    const [users] = await query().superAggregate('everyone', '(users|visitors)');
    expect(users).toMatchObject({ name: 'everyone', type: 'unique', tabs: 2, '1h': { count: 8, distinct: 6 } });
  });
});
