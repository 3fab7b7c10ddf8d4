// RedisStateStore on the test stack's Redis: the atomic, fenced checkpoint
// (state/scripts/checkpoint.lua) and the reads that take a partition up again.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FencedError, StateStoreUnavailableError, WatermarkRegressionError } from '../../state/errors';
import type { PartitionCheckpoint } from '../../state/partition-checkpoint';
import { RedisStateStore } from '../../state/redis-state-store';
import { testStack } from '../support/stack-env';

const stack = testStack();
const prefix = `ts-it-${process.pid}-${Date.now()}`;
const MINUTE = 60_000;

function checkpoint(topology: string, over: Partial<PartitionCheckpoint> = {}): PartitionCheckpoint {
  return {
    topology,
    partition: 0,
    epoch: 1,
    watermark: 0,
    flushedAt: Date.now(),
    eventsDelta: 0,
    states: [],
    deleted: [],
    types: [],
    dedupAdded: new Map(),
    dedupExpireBefore: 0,
    sources: {},
    ...over,
  };
}

/** A state's bytes: format version 1, then bytes that break text encodings (NUL, 0xff, CRLF). */
function binaryState(i: number): Uint8Array {
  return Buffer.concat([Buffer.from([1, 0, 0xff, 0x0d, 0x0a, i % 256]), randomBytes(i % 40)]);
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function sortedStates(states: Array<{ tab: string; client: string; bytes: Uint8Array }>) {
  return states
    .map((s) => ({ key: `${s.tab}\u0000${s.client}`, hex: Buffer.from(s.bytes).toString('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe('RedisStateStore', () => {
  const redis = new Redis(stack.redis);
  const store = new RedisStateStore(redis, { prefix, scanCount: 200 });
  let topologies = 0;
  const nextTopology = () => `t${++topologies}`;

  afterAll(async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  });

  it('round-trips thousands of binary states, types, sources and counters through write and load', async () => {
    const topology = nextTopology();
    const states = Array.from({ length: 5000 }, (_, i) => ({ tab: `tab.${i % 97}`, client: `client-${i}`, bytes: binaryState(i) }));
    const types = Array.from({ length: 97 }, (_, i) => ({ tab: `tab.${i}`, type: i % 2 ? 'counter' : 'percentile' }));
    await store.claim(topology, 0, 1);
    await store.write(
      checkpoint(topology, { watermark: 4999, eventsDelta: 5000, flushedAt: 1_700_000_000_000, states, types, sources: { 'x.fold.repartition:3': '41' } }),
    );
    // A second flush: one state deleted (pruned), one rewritten, events added up.
    const rewritten = { tab: 'tab.1', client: 'client-1', bytes: Uint8Array.from([1, 9, 9]) };
    await store.write(
      checkpoint(topology, {
        watermark: 5100,
        eventsDelta: 101,
        flushedAt: 1_700_000_001_000,
        states: [rewritten],
        deleted: [{ tab: 'tab.0', client: 'client-0' }],
        sources: { 'x.fold.repartition:3': '57' },
      }),
    );

    const loaded = await store.load(topology, 0);
    const expected = states.filter((s) => s.client !== 'client-0' && s.client !== 'client-1').concat(rewritten);
    expect(loaded.states).toHaveLength(4999);
    expect(sortedStates(loaded.states)).toEqual(sortedStates(expected));
    expect(loaded.states.every((s) => Buffer.isBuffer(s.bytes))).toBe(true);
    expect(loaded.types).toEqual(new Map(types.map((t) => [t.tab, t.type])));
    expect(loaded).toMatchObject({
      epoch: 1,
      watermark: 5100,
      events: 5101,
      flushedAt: 1_700_000_001_000,
      sources: { 'x.fold.repartition:3': '57' },
    });
    expect(loaded.dedup.size).toBe(0);
    expect(await store.readMeta(topology, 0)).toEqual({
      epoch: 1,
      watermark: 5100,
      events: 5101,
      flushedAt: 1_700_000_001_000,
      sources: { 'x.fold.repartition:3': '57' },
    });
  });

  it('writes one checkpoint of 100 000 states in a single atomic call', async () => {
    const topology = nextTopology();
    const states = Array.from({ length: 100_000 }, (_, i) => ({ tab: `big.${i % 1000}`, client: `c${i}`, bytes: binaryState(i) }));
    const ids = Array.from({ length: 20_000 }, (_, i) => `event-${i}`);
    await store.claim(topology, 0, 1);
    const started = performance.now();
    await store.write(checkpoint(topology, { watermark: 99_999, states, dedupAdded: new Map([[100 * MINUTE, ids]]) }));
    const writeMs = performance.now() - started;
    const loadStarted = performance.now();
    const loaded = await store.load(topology, 0);
    const loadMs = performance.now() - loadStarted;
    console.log(`100k states + 20k dedup ids: write ${writeMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`);
    expect(loaded.states).toHaveLength(100_000);
    expect(loaded.dedup.get(100 * MINUTE)?.length).toBe(20_000);
  });

  it('refuses a write with an older epoch after a newer claim, and leaves the state untouched', async () => {
    const topology = nextTopology();
    await store.claim(topology, 0, 1);
    await store.write(
      checkpoint(topology, { epoch: 1, watermark: 10, eventsDelta: 11, states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1, 1]) }], types: [{ tab: 'a', type: 'counter' }] }),
    );
    const before = await store.load(topology, 0);

    await store.claim(topology, 0, 2); // a successor took the partition up
    const stale = store.write(
      checkpoint(topology, {
        epoch: 1,
        watermark: 20,
        eventsDelta: 10,
        states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1, 2]) }],
        deleted: [{ tab: 'a', client: 'c' }],
        types: [{ tab: 'b', type: 'gauge' }],
        dedupAdded: new Map([[MINUTE, ['x']]]),
        sources: { 's:0': '5' },
      }),
    );
    await expect(stale).rejects.toBeInstanceOf(FencedError);
    await expect(stale).rejects.toMatchObject({ code: 'FENCED', retriable: false, storedEpoch: 2, attemptedEpoch: 1, topology, partition: 0 });

    const after = await store.load(topology, 0);
    expect(after).toEqual({ ...before, epoch: 2 });

    // The old owner cannot take it back either; the new owner writes on.
    await expect(store.claim(topology, 0, 1)).rejects.toBeInstanceOf(FencedError);
    await store.write(checkpoint(topology, { epoch: 2, watermark: 12, eventsDelta: 2 }));
    expect(await store.readMeta(topology, 0)).toMatchObject({ epoch: 2, watermark: 12, events: 13 });
  });

  it('refuses a watermark going backwards within an epoch', async () => {
    const topology = nextTopology();
    await store.claim(topology, 0, 3);
    await store.write(checkpoint(topology, { epoch: 3, watermark: 100, eventsDelta: 1 }));
    await store.write(checkpoint(topology, { epoch: 3, watermark: 100 })); // an empty flush: same watermark is fine

    const backwards = store.write(checkpoint(topology, { epoch: 3, watermark: 99, eventsDelta: 5, states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1]) }] }));
    await expect(backwards).rejects.toBeInstanceOf(WatermarkRegressionError);
    await expect(backwards).rejects.toMatchObject({ storedWatermark: 100, attemptedWatermark: 99 });
    const meta = await store.readMeta(topology, 0);
    expect(meta).toMatchObject({ epoch: 3, watermark: 100, events: 1 });
    expect((await store.load(topology, 0)).states).toEqual([]);

    // A claim makes the epoch current, so a successor that starts below the stored watermark is refused too...
    await store.claim(topology, 0, 4);
    await expect(store.write(checkpoint(topology, { epoch: 4, watermark: 50 }))).rejects.toBeInstanceOf(WatermarkRegressionError);
    // ...while a write that itself brings a newer epoch (no claim before it) is not compared with an older epoch's watermark.
    await store.write(checkpoint(topology, { epoch: 5, watermark: 50 }));
    expect(await store.readMeta(topology, 0)).toMatchObject({ epoch: 5, watermark: 50 });
  });

  it('keeps dedup ids by bucket, drops buckets that leave the window, and reloads the live ones', async () => {
    const topology = nextTopology();
    const b0 = 28_000_000 * MINUTE;
    const [b1, b2, b3] = [b0 + MINUTE, b0 + 2 * MINUTE, b0 + 3 * MINUTE];
    const now = Date.now();
    await store.claim(topology, 0, 1);
    await store.write(
      checkpoint(topology, {
        watermark: 3,
        flushedAt: now,
        dedupAdded: new Map([[b0, ['a', 'b']], [b1, ['c']], [b2, ['d']]]),
        dedupExpireBefore: b0,
      }),
    );
    let loaded = await store.load(topology, 0);
    expect(new Map([...loaded.dedup].map(([b, ids]) => [b, [...ids].sort()]))).toEqual(new Map([[b0, ['a', 'b']], [b1, ['c']], [b2, ['d']]]));

    const bucketKey = (b: number) => `${prefix}:{${topology}:0}:dedup:${b}`;

    // The window moves past b0 and b1: they leave the index and their sets go; a late id for b1 is not kept.
    await store.write(
      checkpoint(topology, {
        watermark: 4,
        flushedAt: now,
        dedupAdded: new Map([[b1, ['late']], [b2, ['e']], [b3, ['f']]]),
        dedupExpireBefore: b2,
      }),
    );
    loaded = await store.load(topology, 0);
    expect(new Map([...loaded.dedup].map(([b, ids]) => [b, [...ids].sort()]))).toEqual(new Map([[b2, ['d', 'e']], [b3, ['f']]]));
    expect(await redis.zrange(`${prefix}:{${topology}:0}:dedup`, 0, '-1')).toEqual([String(b2), String(b3)]);
    expect(await redis.exists(bucketKey(b0), bucketKey(b1))).toBe(0);
  });

  it('sets no wall-clock expiry on a live dedup bucket (an outage of any length keeps it), and drops it once event time passes it', async () => {
    const topology = nextTopology();
    const b0 = 28_000_000 * MINUTE;
    const [b1, b2] = [b0 + MINUTE, b0 + 2 * MINUTE];
    const bucketKey = (b: number) => `${prefix}:{${topology}:0}:dedup:${b}`;
    await store.claim(topology, 0, 1);
    // Event time long before the flush (a replay of old data, or a partition down for days).
    const flushedAt = b0 + 30 * 24 * 60 * MINUTE;
    await store.write(checkpoint(topology, { watermark: 1, flushedAt, dedupAdded: new Map([[b0, ['a']], [b1, ['b']]]), dedupExpireBefore: b0 }));
    expect(await redis.pttl(bucketKey(b0))).toBe(-1);
    expect(await redis.pttl(bucketKey(b1))).toBe(-1);

    // A bucket written by an older version, with a key expiry, loses it at the next checkpoint,
    // even one that adds nothing to it.
    await redis.pexpire(bucketKey(b1), 10 * MINUTE);
    await store.write(checkpoint(topology, { watermark: 2, flushedAt, dedupAdded: new Map([[b2, ['c']]]), dedupExpireBefore: b0 }));
    expect([await redis.pttl(bucketKey(b0)), await redis.pttl(bucketKey(b1)), await redis.pttl(bucketKey(b2))]).toEqual([-1, -1, -1]);

    // Nothing but event time drops them: the window moves past b0 and b1.
    await store.write(checkpoint(topology, { watermark: 3, flushedAt, dedupExpireBefore: b2 }));
    expect(await redis.exists(bucketKey(b0), bucketKey(b1))).toBe(0);
    expect(await redis.pttl(bucketKey(b2))).toBe(-1);
    expect((await store.load(topology, 0)).dedup).toEqual(new Map([[b2, ['c']]]));
  });

  it('keeps a Tab type sticky', async () => {
    const topology = nextTopology();
    await store.claim(topology, 0, 1);
    await store.write(checkpoint(topology, { watermark: 1, types: [{ tab: 'bids', type: 'counter' }] }));
    await store.write(checkpoint(topology, { watermark: 2, types: [{ tab: 'bids', type: 'gauge' }, { tab: 'asks', type: 'gauge' }] }));
    expect((await store.load(topology, 0)).types).toEqual(new Map([['bids', 'counter'], ['asks', 'gauge']]));
  });

  it('scans the states that match a filter, with their types, for queries', async () => {
    const topology = nextTopology();
    const states = Array.from({ length: 1500 }, (_, i) => ({ tab: i % 3 === 0 ? `winning_bid.${i}` : `other.${i}`, client: `bidder-${i % 7}`, bytes: binaryState(i) }));
    await store.claim(topology, 2, 1);
    await store.write(
      checkpoint(topology, { partition: 2, watermark: 1, states, types: states.map((s) => ({ tab: s.tab, type: 'counter' })) }),
    );
    const matched: Array<{ tab: string; client: string; type: string; bytes: Buffer }> = [];
    for await (const s of store.scanStates(topology, 2, (tab, client) => tab.startsWith('winning_') && client === 'bidder-3')) {
      matched.push(s);
    }
    const expected = states.filter((s) => s.tab.startsWith('winning_') && s.client === 'bidder-3');
    expect(expected.length).toBeGreaterThan(50);
    expect(matched.map((s) => s.tab).sort()).toEqual(expected.map((s) => s.tab).sort());
    expect(matched.every((s) => s.type === 'counter')).toBe(true);
    expect(sortedStates(matched)).toEqual(sortedStates(expected));
  });

  it('stores the partition count of a topology', async () => {
    const topology = nextTopology();
    expect(await store.partitionCount(topology)).toBeNull();
    await store.setPartitionCount(topology, 12);
    expect(await store.partitionCount(topology)).toBe(12);
    expect(await redis.get(`${prefix}:${topology}:partitions`)).toBe('12');
  });

  it('reads a partition never written as empty', async () => {
    const loaded = await store.load(nextTopology(), 5);
    expect(loaded).toEqual({
      epoch: -1,
      watermark: -1,
      events: 0,
      flushedAt: null,
      sources: {},
      states: [],
      types: new Map(),
      dedup: new Map(),
    });
  });

  it('reports an unreachable Redis as a retriable error', async () => {
    const port = await closedPort();
    const down = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => {});
    const unreachable = new RedisStateStore(down, { prefix });
    try {
      const write = unreachable.write(checkpoint('t-down', { watermark: 1 }));
      await expect(write).rejects.toBeInstanceOf(StateStoreUnavailableError);
      await expect(write).rejects.toMatchObject({ retriable: true, code: 'STATE_STORE_UNAVAILABLE' });
    } finally {
      down.disconnect();
    }
  });
});
