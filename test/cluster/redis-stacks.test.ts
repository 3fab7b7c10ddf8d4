// The cluster suite's stacks with Redis in several servers (3 brokers, 3
// ZooKeeper servers, and a Redis Cluster or Redis under Sentinel), as tests of
// Redis failover get them: any node killed -9 and restarted by name, the
// master of a key's slot or the Sentinels' master told. Each stack is stopped
// after its test (a later caller starts it again from its files).
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { stopStack } from '../../deploy/stack';
import { redisClusterStack, redisSentinelStack, runningNodes } from '../support/cluster-stack';
import { waitFor } from '../support/pipeline-harness';

describe('3 brokers, 3 ZooKeeper servers and Redis in several servers', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    for (const dir of dirs) await stopStack(dir).catch(() => undefined);
  });

  it('Redis Cluster: masterOf follows a master killed -9 to its replica; restarted, it is a replica', async () => {
    const stack = await redisClusterStack();
    dirs.push(stack.dir);
    expect(stack.redis).toMatch(/^redis-cluster:\/\/(127\.0\.0\.1:\d+,){5}127\.0\.0\.1:\d+$/);
    expect(stack.brokers.split(',')).toHaveLength(3);
    expect(await runningNodes(stack.dir)).toEqual(expect.arrayContaining(['redis', 'redis-6', 'kafka-3', 'zookeeper-3']));
    const seeds = stack.redis.slice('redis-cluster://'.length).split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) }));
    const client = new Cluster(seeds, { redisOptions: { commandTimeout: 2000, connectTimeout: 2000 } });
    client.on('error', () => {});
    try {
      await client.set('failover-key', 'kept');
      const master = await stack.masterOf('failover-key');
      const replica = (await stack.clusterMembers()).find((m) => m.master === master)!.node;
      await stack.kill(master);
      expect(await waitFor('the replica to take over', () => stack.masterOf('failover-key'), (node) => node === replica, 20_000)).toBe(replica);
      await stack.restart(master);
      expect((await stack.clusterMembers()).find((m) => m.node === master)).toMatchObject({ role: 'replica', master: replica });
      expect(await client.get('failover-key')).toBe('kept');
    } finally {
      client.disconnect();
    }
  });

  it('Sentinel: sentinelMaster follows a failover; a Sentinel killed -9 comes back knowing the master', async () => {
    const stack = await redisSentinelStack();
    dirs.push(stack.dir);
    expect(stack.redis).toMatch(/^redis-sentinel:\/\/(127\.0\.0\.1:\d+,){2}127\.0\.0\.1:\d+\/tabstream$/);
    const master = await stack.sentinelMaster();
    const other = master === 'redis' ? 'redis-2' : 'redis';
    await stack.kill('sentinel-2');
    await stack.kill(master);
    expect(await waitFor('a failover', () => stack.sentinelMaster(), (node) => node === other, 30_000)).toBe(other);
    await stack.restart('sentinel-2');
    await stack.restart(master);
    expect(await stack.sentinelMaster()).toBe(other);
  });
});
