// Redis in several servers under two workers (3 brokers, 3 ZooKeeper servers
// too): a Redis Cluster master killed -9 mid-stream (its replica takes over),
// and the master Sentinels watch killed -9 (they fail over). Replication is
// asynchronous, so the promoted replica may lack checkpoints the dead master
// acknowledged; the owners must notice (TSLOST) and fold those records again
// from Kafka. The events carry no ids (no dedup window can hide a replay) and
// Redis must end with exactly the totals this test computed itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackStatus, stopStack } from '../../deploy/stack';
import { askRedis } from '../../deploy/stack/redis-call';
import { partitionKeys } from '../../state/redis-keys';
import { redisClusterStack, redisSentinelStack, runningNodes, twoWorkersOn, type ClusterStack } from '../support/cluster-stack';
import { ExactRun } from '../support/exact-run';
import { configEnv, sleep, waitFor } from '../support/pipeline-harness';
import { startServe, stopServe } from '../support/serve-process';
import type { TopologyStatus } from '../../topology/deploy/topology-status';
import { testStack } from '../support/stack-env';
import type { RedisClusterHandle, RedisSentinelHandle } from '../support/redis-nodes';

const timings: string[] = [];
const exec = promisify(execFile);

/** How many keys the Redis at `url` holds. */
async function keysOf(url: URL): Promise<number> {
  return Number((await exec('redis-cli', ['-h', url.hostname, '-p', url.port, 'DBSIZE'], { timeout: 10_000 })).stdout.trim());
}

afterAll(() => {
  console.log(`Redis failovers (fault -> exact counts):\n  ${timings.join('\n  ')}`);
});

/**
 * The suite's stack from `start` with two workers folding a first 20k events
 * exactly (before the suite's tests); the stack stopped after them, every
 * process gone.
 */
function twoWorkersOnOwnStack<S extends ClusterStack>(start: () => Promise<S>, prefix: string): { stack: S; run: ExactRun } {
  const suite = {} as { stack: S; run: ExactRun };
  beforeAll(async () => {
    suite.stack = await start();
    suite.run = await twoWorkersOn(suite.stack, prefix);
  }, 240_000);
  afterAll(async () => {
    suite.run?.close();
    if (suite.stack === undefined) return;
    await stopStack(suite.stack.dir).catch(() => undefined);
    expect(await runningNodes(suite.stack.dir)).toEqual([]);
  });
  return suite;
}

/**
 * Kills `master` -9 while 100k events come, waits for `promoted` to say who
 * took over, and for exact counts; returns the timing line.
 */
async function killMidStream(
  run: ExactRun,
  master: string,
  kill: () => Promise<void>,
  promoted: () => Promise<string>,
): Promise<{ line: string; replayed: number }> {
  const producing = run.produce(100_000, { pauseMs: 500, perMessage: 25 });
  await sleep(1500);
  await kill();
  const killedAt = Date.now();
  const successor = await promoted();
  const promotedAt = Date.now();
  await producing;
  const producedAt = Date.now();
  const exact = await run.waitExact(90_000);
  const replayed = run.said(LOST_WRITES, killedAt).length;
  return {
    replayed,
    line: `${master} kill -9: exact ${exact - killedAt} ms after the kill, with it still down; ${successor} master ${promotedAt - killedAt} ms after the kill (as the servers tell); production (100k events, a chunk of 20k every ~0.5 s) ended ${producedAt - killedAt} ms after the kill, exact ${exact - producedAt} ms after that; ${replayed} partition(s) taken up again because the new master lacked acknowledged checkpoints`,
  };
}

/** What an owner logs when Redis holds an older watermark than its last acknowledged write left. */
const LOST_WRITES = 'Redis lost acknowledged writes: taking the partition up again from its watermark';

/**
 * A replica that falls behind before its master dies: paused (SIGSTOP), its
 * replication link closed by the master (or what the master sends next would
 * wait in the paused replica's socket buffer and still arrive), checkpoints
 * landing on the master alone for 3 s, then the master killed -9, then the
 * replica resumed: it takes over without those acknowledged checkpoints.
 */
async function killWithLaggingReplica(
  run: ExactRun,
  stack: ClusterStack,
  master: string,
  replica: string,
  promoted: () => Promise<string>,
): Promise<{ line: string; replayed: number }> {
  return killMidStream(run, `${master} (${replica}, its replica, paused 3 s before)`, async () => {
    await stack.pause(replica);
    try {
      const port = (await stackStatus(stack.dir)).nodes.find((n) => n.name === master)!.port;
      const closed = await askRedis(port, (redis) => redis.call('CLIENT', 'KILL', 'TYPE', 'replica'));
      if (closed !== 1) throw new Error(`${master} closed ${String(closed)} replication links, not 1`);
      await sleep(3000);
      await stack.kill(master);
    } finally {
      await stack.resume(replica);
    }
  }, promoted);
}

/** No worker died of the fault; the killed server restarted, 10k events more fold exactly. */
async function restartAndStayExact(run: ExactRun, stack: ClusterStack, killed: string): Promise<void> {
  expect(run.workers.every((w) => !w.exited)).toBe(true);
  await stack.restart(killed);
  await run.produce(10_000);
  await run.waitExact(60_000);
}

describe('a Redis Cluster (3 masters, a replica each), two workers, no event ids', () => {
  const on = twoWorkersOnOwnStack(redisClusterStack, 'rcluster');

  it('spreads the partitions over the masters, and each is replicated', async () => {
    const { stack, run } = on;
    const members = await stack.clusterMembers();
    const masters = members.filter((m) => m.role === 'master').map((m) => m.node);
    expect(masters).toHaveLength(3);
    for (const master of masters) expect(members.filter((m) => m.master === master)).toHaveLength(1);
    const served = new Set(await Promise.all([0, 1, 2, 3, 4, 5].map((p) => stack.masterOf(partitionKeys(run.config.redisPrefix, run.name, p).meta))));
    expect(served.size).toBeGreaterThan(1);
  });

  it('status, query and serve read the cluster: every partition owned and caught up, the aggregates the workers wrote', async () => {
    const { run } = on;
    const status = JSON.parse((await run.cli('status', run.name, '--json')).stdout) as TopologyStatus;
    expect(status.partitions.map((p) => [p.partition, p.worker !== null, p.lag, p.stalled])).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, true, 0, null]));
    const aggregates = await run.reader.query.aggregate('.*');
    expect(Object.keys(aggregates)).toHaveLength(60);
    const queried = await run.cli('query', 'aggregate', '.*', '--json', '--topology', run.name);
    expect(JSON.parse(queried.stdout)).toEqual(aggregates);
    const serve = await startServe(configEnv(run.config), run.name);
    try {
      expect(await (await fetch(`${serve.url}/api/aggregate`)).json()).toEqual(aggregates);
    } finally {
      await stopServe(serve);
    }
  });

  it('the master of a partition in use killed -9 mid-stream: its replica takes over, exact; restarted, it is a replica and the counts stay exact', async () => {
    const { stack, run } = on;
    const key = partitionKeys(run.config.redisPrefix, run.name, 0).meta;
    const master = await stack.masterOf(key);
    const replica = (await stack.clusterMembers()).find((m) => m.master === master)!.node;
    const { line } = await killMidStream(
      run,
      `${master} (master of partition 0's slot)`,
      () => stack.kill(master),
      () => waitFor('the replica to take over', () => stack.masterOf(key), (node) => node === replica, 30_000),
    );
    timings.push(`Redis Cluster: ${line}`);
    await restartAndStayExact(run, stack, master);
    expect((await stack.clusterMembers()).find((m) => m.node === master)).toMatchObject({ role: 'replica', master: replica });
  }, 240_000);

  it('a master killed -9 while its replica lags: the replica takes over without acknowledged checkpoints, their partitions are folded again from Kafka, exact', async () => {
    const { stack, run } = on;
    const key = partitionKeys(run.config.redisPrefix, run.name, 0).meta;
    const master = await stack.masterOf(key);
    const replica = (await stack.clusterMembers()).find((m) => m.master === master)!.node;
    const { line, replayed } = await killWithLaggingReplica(run, stack, master, replica, () =>
      waitFor('the lagging replica to take over', () => stack.masterOf(key), (node) => node === replica, 60_000),
    );
    timings.push(`Redis Cluster: ${line}`);
    // The write was lost for real, and noticed: not a failover that happened to lose nothing.
    expect(replayed).toBeGreaterThan(0);
    await restartAndStayExact(run, stack, master);
  }, 240_000);

  it('a topology moves from a single Redis to the cluster as docs/operations.md says (deactivate, redis-cli --cluster import, activate on the cluster): exact', async () => {
    const { stack } = on;
    // The single Redis: the shared test stack's (any one would do: it is only read from).
    const single = new URL(testStack().redis);
    const moved = new ExactRun(stack.config({ sessionTimeoutMs: 4000, redis: single.href }), 'rmove', 6);
    try {
      await moved.deploy();
      moved.startWorker();
      moved.startWorker();
      await moved.produce(20_000);
      await moved.waitExact(90_000);
      await moved.deactivateAndWaitReleased();
      for (const w of moved.workers) w.kill('SIGTERM');
      await Promise.all(moved.workers.map((w) => w.waitExit()));
      const seed = stack.redis.slice('redis-cluster://'.length).split(',')[0]!;
      const started = Date.now();
      await exec('redis-cli', ['--cluster', 'import', seed, '--cluster-from', single.host, '--cluster-copy'], { timeout: 120_000 });
      timings.push(`moving to the cluster: redis-cli --cluster import copied the single Redis (${await keysOf(single)} keys) in ${Date.now() - started} ms`);
      moved.moveRedis(stack.redis);
      // The states and watermarks are in the cluster now: what folds there adds to them.
      expect(await moved.differences()).toEqual([]);
      expect((await moved.cli('activate', moved.name)).code).toBe(0);
      moved.startWorker();
      moved.startWorker();
      await moved.produce(20_000);
      await moved.waitExact(90_000);
    } finally {
      moved.close();
    }
  }, 240_000);

  it('a cluster-aware client outside Tabstream sees the same cluster (the stack is a real Redis Cluster)', async () => {
    const { stack, run } = on;
    const seeds = stack.redis.slice('redis-cluster://'.length).split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) }));
    const client = new Cluster(seeds, { redisOptions: { commandTimeout: 2000, connectTimeout: 2000 } });
    client.on('error', () => {});
    try {
      await client.set('failover-key', 'kept');
      expect(await client.get('failover-key')).toBe('kept');
      expect(await client.hget(partitionKeys(run.config.redisPrefix, run.name, 0).meta, 'watermark')).toMatch(/^\d+$/);
    } finally {
      client.disconnect();
    }
  });
});

describe('Redis under Sentinel (a master, a replica, 3 Sentinels), two workers, no event ids', () => {
  const on = twoWorkersOnOwnStack(redisSentinelStack, 'rsentinel');

  it('the master killed -9 mid-stream: the Sentinels fail over, exact; restarted, it follows the new master and the counts stay exact', async () => {
    const { stack, run } = on;
    const master = await stack.sentinelMaster();
    const other = master === 'redis' ? 'redis-2' : 'redis';
    const { line } = await killMidStream(
      run,
      `${master} (the master)`,
      () => stack.kill(master),
      () => waitFor('a failover', () => stack.sentinelMaster(), (node) => node === other, 30_000),
    );
    timings.push(`Sentinel: ${line}`);
    await restartAndStayExact(run, stack, master);
    expect(await stack.sentinelMaster()).toBe(other);
  }, 240_000);

  it('the master killed -9 while its replica lags: the Sentinels promote it without acknowledged checkpoints, the partitions are folded again from Kafka, exact', async () => {
    const { stack, run } = on;
    const master = await stack.sentinelMaster();
    const other = master === 'redis' ? 'redis-2' : 'redis';
    const { line, replayed } = await killWithLaggingReplica(run, stack, master, other, () =>
      waitFor('a failover to the lagging replica', () => stack.sentinelMaster(), (node) => node === other, 60_000),
    );
    timings.push(`Sentinel: ${line}`);
    expect(replayed).toBeGreaterThan(0);
    await restartAndStayExact(run, stack, master);
  }, 240_000);

  it('a Sentinel killed -9 comes back knowing the master; the workers never notice', async () => {
    const { stack, run } = on;
    const master = await stack.sentinelMaster();
    await stack.kill('sentinel-2');
    await run.produce(10_000);
    await run.waitExact(60_000);
    await stack.restart('sentinel-2');
    expect(await stack.sentinelMaster()).toBe(master);
  }, 120_000);
});
