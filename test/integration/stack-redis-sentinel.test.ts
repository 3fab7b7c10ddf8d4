// `topology dev up --redis-sentinel`: a master, its replica and 3 Sentinels
// beside one ZooKeeper and one broker, on a stack of this file's own. The
// Sentinels name the master; a write through a Sentinel-aware client shows on
// the replica; a master killed -9 fails over and comes back as a replica; a
// stack restarted from its files keeps the master the Sentinels chose; `dev
// down` leaves no process.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackLayout, startService, stopService, stopStack } from '../../deploy/stack';
import { askRedis, infoOf } from '../../deploy/stack/redis-call';
import { devStack, type DevStack } from '../support/dev-stack';
import { waitFor } from '../support/pipeline-harness';
import { redisSentinelHandle, type RedisSentinelHandle } from '../support/redis-nodes';

describe('dev up --redis-sentinel', () => {
  let stack: DevStack;
  let nodes: RedisSentinelHandle;
  const sentinelPorts = () => [2, 3, 4].map((i) => stack.redisPort + i);
  const portOf = (node: string) => (node === 'redis' ? stack.redisPort : stack.redisPort + 1);
  /** Through the Sentinels, as a client given the printed URL would connect. */
  const sentinelClient = () => {
    const redis = new Redis({ sentinels: sentinelPorts().map((port) => ({ host: '127.0.0.1', port })), name: 'tabstream', commandTimeout: 2000, connectTimeout: 2000, sentinelMaxConnections: 3 });
    redis.on('error', () => {});
    return redis;
  };

  beforeAll(async () => {
    stack = await devStack('redis-sentinel', 'sentinel');
    nodes = redisSentinelHandle(stack.dir);
  }, 120_000);

  afterAll(async () => {
    if (stack) await stopStack(stack.dir).catch(() => undefined);
  });

  it('prints the Sentinels and the master name as TABSTREAM_REDIS; dev status lists both servers and the 3 Sentinels', async () => {
    const url = `redis-sentinel://${sentinelPorts().map((port) => `127.0.0.1:${port}`).join(',')}/tabstream`;
    expect(stack.up.stdout).toContain(`TABSTREAM_REDIS=${url}\n`);
    const info = JSON.parse((await stack.dev('status', '--json')).stdout) as { redis: string; nodes: Array<{ name: string; port: number; running: boolean }> };
    expect(info.redis).toBe(url);
    expect(info.nodes.filter((n) => n.name.startsWith('redis') || n.name.startsWith('sentinel')).map((n) => [n.name, n.port, n.running])).toEqual(
      ['redis', 'redis-2', 'sentinel', 'sentinel-2', 'sentinel-3'].map((name, i) => [name, stack.redisPort + i, true]),
    );
  });

  it('every Sentinel names redis the master; a write through the Sentinels shows on the replica redis-2', async () => {
    for (const port of sentinelPorts()) {
      expect(await askRedis(port, (redis) => redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'tabstream'))).toEqual(['127.0.0.1', String(stack.redisPort)]);
    }
    expect(await nodes.sentinelMaster()).toBe('redis');
    expect(await infoOf(portOf('redis-2'), 'replication')).toMatchObject({ role: 'slave', master_port: String(stack.redisPort), master_link_status: 'up' });
    const client = sentinelClient();
    try {
      await client.set('stack-test:written', 'through the Sentinels');
    } finally {
      client.disconnect();
    }
    await waitFor('the write on the replica', () => askRedis(portOf('redis-2'), (redis) => redis.get('stack-test:written')), (value) => value === 'through the Sentinels', 5000);
  });

  it('the master killed -9 fails over to redis-2; restarted, redis comes back as its replica', async () => {
    await stopService(stack.dir, 'redis', { signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(await waitFor('the Sentinels to name redis-2', () => nodes.sentinelMaster(), (node) => node === 'redis-2', 30_000)).toBe('redis-2');
    console.log(`redis sentinel: master redis killed -9, all Sentinels name redis-2 ${Date.now() - killedAt} ms later`);
    await startService(stack.dir, 'redis');
    expect(await infoOf(portOf('redis'), 'replication')).toMatchObject({ role: 'slave', master_port: String(portOf('redis-2')), master_link_status: 'up' });
    expect(await askRedis(portOf('redis'), (redis) => redis.get('stack-test:written'))).toBe('through the Sentinels');
  });

  it('a stack restarted from its files keeps the master the Sentinels chose and what they learnt; down leaves no process', async () => {
    const sentinelConfig = () => readFileSync(stackLayout(stack.dir).configFile('sentinel', 2), 'utf8');
    const myId = /^sentinel myid (\S+)$/m.exec(sentinelConfig())?.[1];
    expect(myId).toBeDefined();
    expect(await stack.down()).toEqual({ code: 0, processes: [], running: [] });
    const up = await stack.dev('up');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('TABSTREAM_REDIS=redis-sentinel://');
    expect(await nodes.sentinelMaster()).toBe('redis-2');
    expect(sentinelConfig()).toContain(`sentinel myid ${myId}`);
    expect(await infoOf(portOf('redis'), 'replication')).toMatchObject({ role: 'slave', master_port: String(portOf('redis-2')), master_link_status: 'up' });
    const client = sentinelClient();
    try {
      expect(await client.get('stack-test:written')).toBe('through the Sentinels');
    } finally {
      client.disconnect();
    }
    expect(await stack.down()).toEqual({ code: 0, processes: [], running: [] });
  });
});
