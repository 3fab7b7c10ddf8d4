// state/scripts/move-position.lua on the test stack's Redis: an operator's move of a
// partition's position is one atomic step that fences former owners, records the move,
// and with a reset deletes exactly the partition's own state.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FencedError, PositionChangedError } from '../../state/errors';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import { RedisStateStore } from '../../state/redis-state-store';
import { partitionKeys } from '../../state/redis-keys';
import { testStack } from '../support/stack-env';

const stack = testStack();
const prefix = `ts-mv-${process.pid}-${Date.now()}`;
const BUCKET = 1_700_000_040_000;

describe('move-position.lua', () => {
  const redis = new Redis(stack.redis);
  const store = new RedisStateStore(redis, { prefix });
  let n = 0;
  const nextTopology = () => `m${++n}`;

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /** Partition `partition` of `topology` claimed and written once up to watermark 99, with a state, a type, dedup ids and a source. */
  async function written(topology: string, partition: number) {
    const claim = await store.claim(topology, partition, 1);
    const cp: PartitionCheckpoint = {
      topology,
      partition,
      token: claim.token,
      checkpointId: `${claim.token}:0`,
      expectedWatermark: -1,
      watermark: 99,
      flushedAt: 1,
      eventsDelta: 100,
      states: [{ tab: 'bids', client: 'c1', bytes: Uint8Array.from([1, 2, 3]) }],
      deleted: [],
      types: [{ tab: 'bids', type: 'counter' }],
      dedupAdded: new Map([[BUCKET, ['id-1', 'id-2']]]),
      dedupExpireBefore: 0,
      sources: { 'fwd:t.fold.repartition:tabs:3': '4096', 'in:t.fold.repartition:0': '7' },
      clientCounts: null,
    };
    await store.write(cp);
    return { token: claim.token, cp };
  }

  it('moves the watermark, bumps the token, records the move, and keeps the state without a reset', async () => {
    const topology = nextTopology();
    const { token, cp } = await written(topology, 0);
    const moved = await store.movePosition({ topology, partition: 0, expectedWatermark: 99, watermark: 149, movedAt: 1234, resetState: false, sources: {} });
    expect(moved).toEqual({ token: token + 1, statesDeleted: 0, bucketsDeleted: 0 });
    const meta = await store.readMeta(topology, 0);
    expect(meta).toMatchObject({ watermark: 149, token: token + 1, events: 100, moved: { at: 1234, from: 100, to: 150, reset: false } });
    expect(meta.sources['in:t.fold.repartition:0']).toBe('7');
    const loaded = await store.load(topology, 0);
    expect(loaded.states).toHaveLength(1);
    expect(loaded.dedup.get(BUCKET)).toHaveLength(2);

    // The former owner's next write is fenced; the next claim starts at the new watermark.
    await expect(store.write({ ...cp, checkpointId: `${token}:1`, expectedWatermark: 99, watermark: 120 })).rejects.toBeInstanceOf(FencedError);
    const next = await store.claim(topology, 0, 2);
    expect(next).toEqual({ token: token + 2, watermark: 149 });
  });

  it('with a reset deletes the states, types, dedup window and source positions of that partition only, then sets the given sources', async () => {
    const topology = nextTopology();
    await written(topology, 0);
    await written(topology, 1);
    const keys = partitionKeys(prefix, topology, 0);
    const moved = await store.movePosition({
      topology,
      partition: 0,
      expectedWatermark: 99,
      watermark: -1,
      movedAt: 5,
      resetState: true,
      sources: { 'in:t.fold.repartition:0': 41 },
    });
    expect(moved).toMatchObject({ statesDeleted: 1, bucketsDeleted: 1 });
    expect(await redis.exists(keys.states, keys.types, keys.dedupIndex, `${keys.dedupIndex}:${BUCKET}`)).toBe(0);
    const meta = await store.readMeta(topology, 0);
    expect(meta).toMatchObject({ watermark: -1, events: 0, moved: { from: 100, to: 0, reset: true } });
    expect(meta.sources).toEqual({ 'in:t.fold.repartition:0': '41' });
    // Partition 1 keeps everything.
    const other = await store.load(topology, 1);
    expect(other.states).toHaveLength(1);
    expect(other.dedup.size).toBe(1);
    expect(other.watermark).toBe(99);
    // The next taker of the reset partition knows nothing is stored (its states are all new); partition 1's does not.
    expect((await store.load(topology, 0, { states: false })).nothingStored).toBe(true);
    expect(other.nothingStored).toBe(false);
  });

  it('refuses, changing nothing, when Redis holds another watermark than the plan read', async () => {
    const topology = nextTopology();
    const { token } = await written(topology, 0);
    const before = await redis.hgetall(partitionKeys(prefix, topology, 0).meta);
    const err = await store
      .movePosition({ topology, partition: 0, expectedWatermark: 50, watermark: 10, movedAt: 5, resetState: true, sources: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PositionChangedError);
    expect((err as PositionChangedError).storedWatermark).toBe(99);
    expect(await redis.hgetall(partitionKeys(prefix, topology, 0).meta)).toEqual(before);
    expect((await store.readMeta(topology, 0)).token).toBe(token);
    expect((await store.load(topology, 0)).states).toHaveLength(1);
  });

  it('moves a partition never written (no meta yet)', async () => {
    const topology = nextTopology();
    const moved = await store.movePosition({ topology, partition: 3, expectedWatermark: -1, watermark: 9, movedAt: 5, resetState: false, sources: {} });
    expect(moved.token).toBe(1);
    expect(await store.claim(topology, 3, 1)).toEqual({ token: 2, watermark: 9 });
  });
});
