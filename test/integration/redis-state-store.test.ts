// RedisStateStore on the test stack's Redis: the atomic, fenced checkpoint
// (state/scripts/checkpoint.lua) and the reads that take a partition up again.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FencedError, StateLostError, StateStoreUnavailableError, WatermarkRegressionError } from '../../state/errors';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import { RedisStateStore } from '../../state/redis-state-store';
import { partitionKeys } from '../../state/redis-keys';
import { checkpointArgs } from '../../state/checkpoint-args';
import { stateScript, withStateScripts } from '../../state/scripts';
import { testStack } from '../support/stack-env';

const stack = testStack();
const prefix = `ts-it-${process.pid}-${Date.now()}`;
const MINUTE = 60_000;

function checkpoint(topology: string, over: Partial<PartitionCheckpoint> = {}): PartitionCheckpoint {
  return {
    clientCounts: null,
    topology,
    partition: 0,
    token: 1,
    checkpointId: randomBytes(6).toString('hex'),
    expectedWatermark: -1,
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

  /** A partition owner as the runner is one: its claim's token, its writes' ids, the watermark it left. */
  async function claimed(topology: string, partition: number, generation: number) {
    const claim = await store.claim(topology, partition, generation);
    const owner = {
      token: claim.token,
      durable: claim.watermark,
      seq: 0,
      /** The next write of this owner (not yet sent). */
      next(over: Partial<PartitionCheckpoint> = {}): PartitionCheckpoint {
        return checkpoint(topology, { partition, token: owner.token, checkpointId: `${owner.token}:${owner.seq}`, expectedWatermark: owner.durable, ...over });
      },
      async write(over: Partial<PartitionCheckpoint> = {}): Promise<boolean> {
        const cp = owner.next(over);
        const applied = await store.write(cp);
        owner.seq++;
        owner.durable = cp.watermark;
        return applied;
      },
    };
    return owner;
  }

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
    const owner = await claimed(topology, 0, 1);
    await owner.write({ watermark: 4999, eventsDelta: 5000, flushedAt: 1_700_000_000_000, states, types, sources: { 'x.fold.repartition:3': '41' } });
    // A second flush: one state deleted (pruned), one rewritten, events added up.
    const rewritten = { tab: 'tab.1', client: 'client-1', bytes: Uint8Array.from([1, 9, 9]) };
    await owner.write({
      watermark: 5100,
      eventsDelta: 101,
      flushedAt: 1_700_000_001_000,
      states: [rewritten],
      deleted: [{ tab: 'tab.0', client: 'client-0' }],
      sources: { 'x.fold.repartition:3': '57' },
    });

    const loaded = await store.load(topology, 0);
    const expected = states.filter((s) => s.client !== 'client-0' && s.client !== 'client-1').concat(rewritten);
    expect(loaded.states).toHaveLength(4999);
    expect(sortedStates(loaded.states)).toEqual(sortedStates(expected));
    expect(loaded.states.every((s) => Buffer.isBuffer(s.bytes))).toBe(true);
    expect(loaded.types).toEqual(new Map(types.map((t) => [t.tab, t.type])));
    expect(loaded).toMatchObject({
      generation: 1,
      token: owner.token,
      watermark: 5100,
      events: 5101,
      flushedAt: 1_700_000_001_000,
      sources: { 'x.fold.repartition:3': '57' },
    });
    expect(loaded.dedup.size).toBe(0);
    expect(await store.readMeta(topology, 0)).toEqual({
      generation: 1,
      token: owner.token,
      watermark: 5100,
      events: 5101,
      flushedAt: 1_700_000_001_000,
      sources: { 'x.fold.repartition:3': '57' },
      recordsAt: 5100,
    });
    expect(loaded.recordsCurrent).toBe(true);
    // Client counts follow the states hash: created ones counted, the rewritten one not twice, the deleted one off.
    const tabs = types.map((t) => t.tab);
    const counted = new Map<string, number>();
    for (const s of expected) counted.set(s.tab, (counted.get(s.tab) ?? 0) + 1);
    expect(await store.readClientCounts(topology, 0, tabs)).toEqual(tabs.map((tab) => counted.get(tab) ?? null));
  });

  it('counts client states per Tab, not the Tab records (client *) nor their deltas (*+); a rebuild replaces the counts; a write by an older worker leaves the records stale', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    const bytes = Uint8Array.from([1, 2]);
    const delta = Uint8Array.from([3]);
    await owner.write({
      watermark: 9,
      states: [
        { tab: 'a', client: 'c1', bytes },
        { tab: 'a', client: 'c2', bytes },
        { tab: 'a', client: '*', bytes },
        { tab: 'a', client: '*+', bytes: delta },
        { tab: 'b', client: 'c1', bytes },
      ],
      types: [{ tab: 'a', type: 'counter' }],
    });
    expect(await store.readRecords(topology, 0, ['a', 'b'])).toEqual([
      { record: Buffer.from(bytes), delta: Buffer.from(delta), clients: 2 },
      { record: null, delta: null, clients: 1 },
    ]);
    // One Tab across the topology's partitions reads them the same (its partition count as a deploy sets it).
    await redis.set(`${prefix}:${topology}:partitions`, '1');
    expect((await store.readTabAcrossPartitions(topology, 'a')).find((r) => r.partition === 0)).toMatchObject({ record: Buffer.from(bytes), delta: Buffer.from(delta), clients: 2 });
    // The last client of b deleted: b leaves the counts; a's record and delta deleted do not count.
    await owner.write({ watermark: 10, deleted: [{ tab: 'b', client: 'c1' }, { tab: 'a', client: '*' }, { tab: 'a', client: '*+' }, { tab: 'b', client: 'never-stored' }] });
    expect(await store.readClientCounts(topology, 0, ['a', 'b'])).toEqual([2, null]);
    // A rebuild's counts replace every stored count, then the write's own states count on.
    await owner.write({ watermark: 11, clientCounts: [{ tab: 'z', clients: 5 }], states: [{ tab: 'z', client: 'new', bytes }] });
    expect(await store.readClientCounts(topology, 0, ['a', 'z'])).toEqual([null, 6]);
    expect((await store.load(topology, 0, { states: false })).recordsCurrent).toBe(true);
    expect((await store.load(topology, 0, { states: false })).nothingStored).toBe(false);
    // An older worker's checkpoint.lua leaves records_at behind: the next taker is told to rebuild.
    await redis.hset(partitionKeys(prefix, topology, 0).meta, 'watermark', 12);
    expect((await store.load(topology, 0, { states: false })).recordsCurrent).toBe(false);
  });

  it('counts what each write creates when a Tab\'s client states come in several runs, records among them', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    const tabs = ['a', 'b', 'c', 'd'];
    // The model: which fields Redis holds, kept by the test.
    const stored = new Set<string>();
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return (seed >>> 12) % n; // an LCG's low bits repeat in short cycles
    };
    for (let w = 0; w < 30; w++) {
      const states: PartitionCheckpoint['states'] = [];
      const deleted: PartitionCheckpoint['deleted'] = [];
      const inWrite = new Set<string>();
      for (let i = random(25); i >= 0; i--) {
        const tab = tabs[random(tabs.length)]!;
        const client = random(6) === 0 ? '*' : `c${random(8)}`;
        const field = `${tab}\u0000${client}`;
        if (inWrite.has(field)) continue;
        inWrite.add(field);
        states.push({ tab, client, bytes: Uint8Array.from([1, w]) });
        stored.add(field);
      }
      for (let i = random(4); i > 0; i--) {
        const tab = tabs[random(tabs.length)]!;
        const client = `c${random(8)}`;
        if (inWrite.has(`${tab}\u0000${client}`)) continue;
        deleted.push({ tab, client });
        stored.delete(`${tab}\u0000${client}`);
      }
      await owner.write({ watermark: w, states, deleted });
      const expected = tabs.map((tab) => [...stored].filter((f) => f.startsWith(`${tab}\u0000c`)).length || null);
      expect(await store.readClientCounts(topology, 0, tabs), `after write ${w}`).toEqual(expected);
    }
    expect(stored.size).toBeGreaterThan(10);
  });

  it('writes with its own encoding of the arguments after Redis forgot its scripts (EVAL once, then EVALSHA), and fetches states by it', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    const client = binaryState(7);
    const record = binaryState(47);
    await redis.script('FLUSH');
    expect(await owner.write({ watermark: 0, states: [{ tab: 'a', client: 'c1', bytes: client }, { tab: 'a', client: '*', bytes: record }], types: [{ tab: 'a', type: 'counter' }] })).toBe(true);
    // The EVAL that answered NOSCRIPT loaded the script: the next write goes as EVALSHA.
    expect(await redis.script('EXISTS', stateScript('tsCheckpoint').sha)).toEqual([1]);
    const calls = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const evalshaBefore = await calls();
    expect(await owner.write({ watermark: 1, states: [{ tab: 'b', client: 'c2', bytes: Uint8Array.from([]) }] })).toBe(true);
    expect(await calls()).toBeGreaterThan(evalshaBefore);
    const fetched = await store.fetchStates(topology, 0, [{ tab: 'a', client: 'c1' }, { tab: 'a', client: 'none' }, { tab: 'a', client: '*' }, { tab: 'b', client: 'c2' }], ['a', 'unknown']);
    expect(fetched.states).toEqual([Buffer.from(client), null, Buffer.from(record), Buffer.alloc(0)]);
    expect(fetched.types).toEqual(['counter', null]);
    expect((await store.readMeta(topology, 0)).watermark).toBe(1);
  });

  it('refuses a write whose runs do not hold the states it announces, writing nothing', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    const keys = partitionKeys(prefix, topology, 0);
    const cp = owner.next({ watermark: 3, states: [{ tab: 'a', client: 'c1', bytes: Uint8Array.from([1]) }] });
    const args = checkpointArgs(cp);
    args[5] = '2';
    await expect(
      withStateScripts(redis).tsCheckpoint(keys.meta, keys.states, keys.types, keys.dedupIndex, keys.clients, ...args),
    ).rejects.toThrow(/TSARGS 2 states announced, 1 sent/);
    expect(await redis.hlen(keys.states)).toBe(0);
    expect((await store.readMeta(topology, 0)).watermark).toBe(-1);
  });

  it('writes one checkpoint of 100 000 states in a single atomic call', async () => {
    const topology = nextTopology();
    const states = Array.from({ length: 100_000 }, (_, i) => ({ tab: `big.${i % 1000}`, client: `c${i}`, bytes: binaryState(i) }));
    const ids = Array.from({ length: 20_000 }, (_, i) => `event-${i}`);
    const owner = await claimed(topology, 0, 1);
    const started = performance.now();
    await owner.write({ watermark: 99_999, states, dedupAdded: new Map([[100 * MINUTE, ids]]) });
    const writeMs = performance.now() - started;
    const loadStarted = performance.now();
    const loaded = await store.load(topology, 0);
    const loadMs = performance.now() - loadStarted;
    console.log(`100k states + 20k dedup ids: write ${writeMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`);
    expect(loaded.states).toHaveLength(100_000);
    expect(loaded.dedup.get(100 * MINUTE)?.length).toBe(20_000);
  });

  it('refuses a write of an older claim after a newer claim, and leaves the state untouched', async () => {
    const topology = nextTopology();
    const first = await claimed(topology, 0, 1);
    await first.write({ watermark: 10, eventsDelta: 11, states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1, 1]) }], types: [{ tab: 'a', type: 'counter' }] });
    const before = await store.load(topology, 0);

    const successor = await claimed(topology, 0, 2); // a successor took the partition up
    expect(successor.token).toBeGreaterThan(first.token);
    expect(successor.durable).toBe(10); // it starts where Redis stands
    const stale = first.write({
      watermark: 20,
      eventsDelta: 10,
      states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1, 2]) }],
      deleted: [{ tab: 'a', client: 'c' }],
      types: [{ tab: 'b', type: 'gauge' }],
      dedupAdded: new Map([[MINUTE, ['x']]]),
      sources: { 's:0': '5' },
    });
    await expect(stale).rejects.toBeInstanceOf(FencedError);
    await expect(stale).rejects.toMatchObject({ code: 'FENCED', retriable: false, storedEpoch: successor.token, attemptedEpoch: first.token, topology, partition: 0 });

    const after = await store.load(topology, 0);
    expect(after).toEqual({ ...before, generation: 2, token: successor.token });

    // The old generation cannot claim it back; the new owner writes on.
    await expect(store.claim(topology, 0, 1)).rejects.toBeInstanceOf(FencedError);
    await successor.write({ watermark: 12, eventsDelta: 2 });
    expect(await store.readMeta(topology, 0)).toMatchObject({ generation: 2, watermark: 12, events: 13 });
  });

  it('gives every claim a new token, so two claims under one generation fence each other (hole 6)', async () => {
    const topology = nextTopology();
    const a = await claimed(topology, 0, 7);
    await a.write({ watermark: 5 });
    // The same worker id rejoining before the leader's rebalance claims under the same generation.
    const b = await claimed(topology, 0, 7);
    expect(b.token).toBeGreaterThan(a.token);
    await expect(a.write({ watermark: 9 })).rejects.toBeInstanceOf(FencedError);
    await b.write({ watermark: 6 });
    expect(await store.readMeta(topology, 0)).toMatchObject({ generation: 7, token: b.token, watermark: 6 });
    // A claimer's last token bounds the next one from below (a Redis that lost writes must not issue it again).
    const c = await store.claim(topology, 0, 7, 1000);
    expect(c.token).toBe(1001);
  });

  it('applies a retried write once (same checkpoint id), however often it is sent', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    const cp = owner.next({ watermark: 3, eventsDelta: 4 });
    expect(await store.write(cp)).toBe(true);
    expect(await store.write(cp)).toBe(false); // the reply of the first was lost; the retry changes nothing
    expect(await store.readMeta(topology, 0)).toMatchObject({ watermark: 3, events: 4 });
  });

  it('refuses a write when Redis lost what the owner wrote before (restored from an older copy)', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    await owner.write({ watermark: 100, eventsDelta: 1 });
    // Redis forgets the last write: the watermark goes back, as after a restart from an older AOF.
    await redis.hset(`${prefix}:{${topology}:0}:meta`, 'watermark', '40');
    const next = owner.write({ watermark: 150 });
    await expect(next).rejects.toBeInstanceOf(StateLostError);
    await expect(next).rejects.toMatchObject({ code: 'STATE_LOST', stored: 40, expected: 100 });
    // ...and when it lost the claim itself (the stored token is older than the writer's).
    await redis.hset(`${prefix}:{${topology}:0}:meta`, 'watermark', '100', 'token', String(owner.token - 1));
    await expect(owner.write({ watermark: 150 })).rejects.toBeInstanceOf(StateLostError);
    expect(await store.readMeta(topology, 0)).toMatchObject({ watermark: 100 });
  });

  it('refuses a watermark going backwards', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 3);
    await owner.write({ watermark: 100, eventsDelta: 1 });
    await owner.write({ watermark: 100 }); // an empty flush: same watermark is fine

    const backwards = store.write(owner.next({ watermark: 99, eventsDelta: 5, states: [{ tab: 'a', client: 'c', bytes: Uint8Array.from([1]) }] }));
    await expect(backwards).rejects.toBeInstanceOf(WatermarkRegressionError);
    await expect(backwards).rejects.toMatchObject({ storedWatermark: 100, attemptedWatermark: 99 });
    const meta = await store.readMeta(topology, 0);
    expect(meta).toMatchObject({ generation: 3, watermark: 100, events: 1 });
    expect((await store.load(topology, 0)).states).toEqual([]);
  });

  it('reads a layout-v1 partition (the generation kept as epoch) and moves it to tokens on its next claim', async () => {
    const topology = nextTopology();
    await redis.hset(`${prefix}:{${topology}:0}:meta`, 'epoch', '12', 'watermark', '77');
    expect(await store.readMeta(topology, 0)).toMatchObject({ generation: 12, token: 12, watermark: 77 });
    expect(await store.maxGeneration(topology, 2)).toBe(12);
    await expect(store.claim(topology, 0, 11)).rejects.toBeInstanceOf(FencedError);
    const owner = await claimed(topology, 0, 13);
    expect(owner).toMatchObject({ token: 13, durable: 77 });
    expect(await redis.hget(`${prefix}:{${topology}:0}:meta`, 'epoch')).toBeNull();
    await owner.write({ watermark: 80 });
    expect(await store.readMeta(topology, 0)).toMatchObject({ generation: 13, token: 13, watermark: 80 });
  });

  it('keeps dedup ids by bucket, drops buckets that leave the window, and reloads the live ones', async () => {
    const topology = nextTopology();
    const b0 = 28_000_000 * MINUTE;
    const [b1, b2, b3] = [b0 + MINUTE, b0 + 2 * MINUTE, b0 + 3 * MINUTE];
    const now = Date.now();
    const owner = await claimed(topology, 0, 1);
    await store.write(
      owner.next({
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
    owner.durable = 3;
    owner.seq++;
    await store.write(
      owner.next({
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
    const owner = await claimed(topology, 0, 1);
    // Event time long before the flush (a replay of old data, or a partition down for days).
    const flushedAt = b0 + 30 * 24 * 60 * MINUTE;
    await owner.write({ watermark: 1, flushedAt, dedupAdded: new Map([[b0, ['a']], [b1, ['b']]]), dedupExpireBefore: b0 });
    expect(await redis.pttl(bucketKey(b0))).toBe(-1);
    expect(await redis.pttl(bucketKey(b1))).toBe(-1);

    // A bucket written by an older version, with a key expiry, loses it at the next checkpoint,
    // even one that adds nothing to it.
    await redis.pexpire(bucketKey(b1), 10 * MINUTE);
    await owner.write({ watermark: 2, flushedAt, dedupAdded: new Map([[b2, ['c']]]), dedupExpireBefore: b0 });
    expect([await redis.pttl(bucketKey(b0)), await redis.pttl(bucketKey(b1)), await redis.pttl(bucketKey(b2))]).toEqual([-1, -1, -1]);

    // Nothing but event time drops them: the window moves past b0 and b1.
    await owner.write({ watermark: 3, flushedAt, dedupExpireBefore: b2 });
    expect(await redis.exists(bucketKey(b0), bucketKey(b1))).toBe(0);
    expect(await redis.pttl(bucketKey(b2))).toBe(-1);
    expect((await store.load(topology, 0)).dedup).toEqual(new Map([[b2, ['c']]]));
  });

  it('keeps a Tab type sticky', async () => {
    const topology = nextTopology();
    const owner = await claimed(topology, 0, 1);
    await owner.write({ watermark: 1, types: [{ tab: 'bids', type: 'counter' }] });
    await owner.write({ watermark: 2, types: [{ tab: 'bids', type: 'gauge' }, { tab: 'asks', type: 'gauge' }] });
    expect((await store.load(topology, 0)).types).toEqual(new Map([['bids', 'counter'], ['asks', 'gauge']]));
  });

  it('scans the states that match a filter, with their types, for queries', async () => {
    const topology = nextTopology();
    const states = Array.from({ length: 1500 }, (_, i) => ({ tab: i % 3 === 0 ? `winning_bid.${i}` : `other.${i}`, client: `bidder-${i % 7}`, bytes: binaryState(i) }));
    const owner = await claimed(topology, 2, 1);
    await owner.write({ watermark: 1, states, types: states.map((s) => ({ tab: s.tab, type: 'counter' })) });
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

  it('reads a partition never written as empty, with nothing stored (a Tab type alone is something)', async () => {
    const topology = nextTopology();
    const loaded = await store.load(topology, 5);
    expect(loaded).toEqual({
      generation: -1,
      token: -1,
      watermark: -1,
      events: 0,
      flushedAt: null,
      sources: {},
      states: [],
      types: new Map(),
      dedup: new Map(),
      recordsAt: null,
      recordsCurrent: true,
      nothingStored: true,
    });
    // A Tab's type without any state (its states pruned, say): a taker must still ask Redis.
    await redis.hset(partitionKeys(prefix, topology, 5).types, 'x', 'counter');
    expect((await store.load(topology, 5, { states: false })).nothingStored).toBe(false);
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
