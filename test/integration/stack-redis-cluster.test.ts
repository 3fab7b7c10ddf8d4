// `topology dev up --redis-cluster`: a real Redis Cluster of 6 servers (3
// masters with a replica each) beside one ZooKeeper and one broker, on a stack
// of this file's own. A cluster-aware client reads back what it wrote; a
// master killed -9 fails over to its replica and rejoins as a replica; a
// restarted stack is the same cluster, never created again; `dev down` leaves
// no process.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackStatus, startService, stopService, stopStack } from '../../deploy/stack';
import { askRedis } from '../../deploy/stack/redis-call';
import { devStack, type DevStack } from '../support/dev-stack';
import { waitFor } from '../support/pipeline-harness';
import { redisClusterHandle, type RedisClusterHandle } from '../support/redis-nodes';

describe('dev up --redis-cluster', () => {
  let stack: DevStack;
  let nodes: RedisClusterHandle;
  let client: Cluster;
  const seeds = () => [0, 1, 2, 3, 4, 5].map((i) => ({ host: '127.0.0.1', port: stack.redisPort + i }));
  const portOf = async (node: string) => (await stackStatus(stack.dir)).nodes.find((n) => n.name === node)!.port;
  const myIds = async () => {
    const ids = await Promise.all(seeds().map(({ port }) => askRedis(port, (redis) => redis.call('CLUSTER', 'MYID'))));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    return ids;
  };

  beforeAll(async () => {
    stack = await devStack('redis-cluster', 'cluster');
    nodes = redisClusterHandle(stack.dir);
    client = new Cluster(seeds(), { redisOptions: { commandTimeout: 2000, connectTimeout: 2000 }, clusterRetryStrategy: (times) => (times > 20 ? null : 200) });
    client.on('error', () => {});
  }, 120_000);

  afterAll(async () => {
    client?.disconnect();
    if (stack) await stopStack(stack.dir).catch(() => undefined);
  });

  it('prints every server as a seed of TABSTREAM_REDIS; dev status lists redis .. redis-6', async () => {
    const seedList = seeds().map(({ port }) => `127.0.0.1:${port}`).join(',');
    expect(stack.up.stdout).toContain(`TABSTREAM_REDIS=redis-cluster://${seedList}\n`);
    expect(stack.up.stderr).toContain('redis: creating the Redis Cluster of 6 servers (3 masters, 1 replica each)');
    const info = JSON.parse((await stack.dev('status', '--json')).stdout) as { redis: string; nodes: Array<{ name: string; port: number; running: boolean }> };
    expect(info.redis).toBe(`redis-cluster://${seedList}`);
    expect(info.nodes.filter((n) => n.name.startsWith('redis')).map((n) => [n.name, n.port, n.running])).toEqual(
      ['redis', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6'].map((name, i) => [name, stack.redisPort + i, true]),
    );
  });

  it('is a cluster in state ok, all 16384 slots assigned, 3 masters with one replica each', async () => {
    for (const { port } of seeds()) {
      const clusterInfo = await askRedis(port, (redis) => redis.call('CLUSTER', 'INFO'));
      expect(clusterInfo).toContain('cluster_state:ok');
      expect(clusterInfo).toContain('cluster_slots_assigned:16384');
    }
    const members = await nodes.clusterMembers();
    const masters = members.filter((m) => m.role === 'master');
    expect(masters).toHaveLength(3);
    expect(masters.flatMap((m) => m.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0)).toBe(16_384);
    const replicas = members.filter((m) => m.role === 'replica');
    expect(replicas.map((r) => r.master).sort()).toEqual(masters.map((m) => m.node).sort());
  });

  it('a key written through a cluster-aware client reads back, and lives on the master masterOf names', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `stack-test:key-${i}`);
    for (const key of keys) await client.set(key, `value of ${key}`);
    for (const key of keys) expect(await client.get(key)).toBe(`value of ${key}`);
    const master = await nodes.masterOf('stack-test:key-7');
    // Asked directly (no redirection), the master has it.
    expect(await askRedis(await portOf(master), (redis) => redis.get('stack-test:key-7'))).toBe('value of stack-test:key-7');
  });

  it("a master killed -9 fails over to its replica, which serves the key; restarted, it rejoins as that replica's replica", async () => {
    const key = 'stack-test:key-7';
    const master = await nodes.masterOf(key);
    const replica = (await nodes.clusterMembers()).find((m) => m.master === master)!.node;
    await stopService(stack.dir, master, { signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(await waitFor(`${replica} masters ${key}`, () => nodes.masterOf(key), (node) => node === replica, 20_000)).toBe(replica);
    console.log(`redis cluster: ${master} killed -9, ${replica} serves its slots ${Date.now() - killedAt} ms later`);
    expect(await client.get(key)).toBe(`value of ${key}`);
    await startService(stack.dir, master);
    expect((await nodes.clusterMembers()).find((m) => m.node === master)).toMatchObject({ role: 'replica', master: replica });
  });

  it('dev up again keeps the recorded shape and the cluster; another shape is refused while it runs', async () => {
    const ids = await myIds();
    const again = await stack.dev('up');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('TABSTREAM_REDIS=redis-cluster://');
    expect(again.stderr).not.toContain('creating the Redis Cluster');
    expect(await myIds()).toEqual(ids);
    const other = await stack.dev('up', '--redis-sentinel');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^topology: the stack in .* runs 1 broker\(s\), 1 ZooKeeper server\(s\) and a Redis Cluster; run `topology dev down` first to change that$/m);
    const both = await stack.dev('up', '--redis-cluster', '--redis-sentinel');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--redis-cluster.* cannot be used with .*--redis-sentinel/);
  });

  it('dev down stops every server; up again from the files is the same cluster with its data; down leaves no process', async () => {
    const ids = await myIds();
    client.disconnect();
    expect(await stack.down()).toEqual({ code: 0, processes: [], running: [] });
    const up = await stack.dev('up');
    expect(up.code).toBe(0);
    expect(up.stderr).not.toContain('creating the Redis Cluster');
    expect(await myIds()).toEqual(ids);
    const fresh = new Cluster(seeds(), { redisOptions: { commandTimeout: 2000, connectTimeout: 2000 } });
    fresh.on('error', () => {});
    try {
      expect(await fresh.get('stack-test:key-42')).toBe('value of stack-test:key-42');
    } finally {
      fresh.disconnect();
    }
    expect(await stack.down()).toEqual({ code: 0, processes: [], running: [] });
  });
});
