// The multi-node stack of the cluster suite (test/cluster/): 3 ZooKeeper
// servers in an ensemble, 3 Kafka brokers and Redis (one server; or, each in
// a stack of its own, a Redis Cluster or Redis under Sentinel), started by the
// project's own stack code in the run's scratch directory (the test runner
// stops it at the end of the run, like every stack there), on ports found free.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Admin } from '@platformatic/kafka';
import { startStack, stackStatus, type RedisMode } from '../../deploy/stack';
import { fourLetterWord } from '../../deploy/stack/readiness';
import { ExactRun } from './exact-run';
import { redisClusterHandle, redisSentinelHandle, type RedisClusterHandle, type RedisSentinelHandle } from './redis-nodes';
import { freeBase } from './free-ports';
import { signal, stackHandle, type StackHandle } from './stack-handle';

/** Ports above a ZooKeeper base port an ensemble of 3 uses (clients, quorum, election), and above Kafka's. */
const ZK_OFFSETS = [0, 1, 2, 707, 708, 709, 1707, 1708, 1709];
const KAFKA_OFFSETS = [0, 1, 2];

/** Nodes are named `kafka`, `kafka-2`, `zookeeper` (node 1), `zookeeper-2`, ..., `redis`, `redis-2`, ..., `sentinel`, `sentinel-2`, ... */
export interface ClusterStack extends StackHandle {
  /** Which node leads `topic`'s partition, by Kafka's metadata (broker id n is node n + 1). */
  leaderOf(topic: string, partition: number): Promise<{ node: string; replicas: number[]; isr: number[] }>;
  /** The ZooKeeper nodes (`zookeeper`, `zookeeper-2`, ...) and the one whose `srvr` says "Mode: leader" (undefined while none does). */
  zkEnsemble(): Promise<{ nodes: string[]; leader: string | undefined }>;
}

/** Ports above the Redis base port each shape uses: a cluster's servers and their bus ports, or a master, a replica and 3 Sentinels. */
const REDIS_OFFSETS: Record<RedisMode, number[]> = {
  single: [0],
  cluster: [0, 1, 2, 3, 4, 5, 10_000, 10_001, 10_002, 10_003, 10_004, 10_005],
  sentinel: [0, 1, 2, 3, 4],
};

/** A Redis base port whose shape's ports (see REDIS_OFFSETS) are all free now. */
export function freeRedisPort(redisMode: RedisMode): Promise<number> {
  return freeBase(REDIS_OFFSETS[redisMode]);
}

/** The cluster suite's stack: 3 brokers, 3 ZooKeeper servers and one Redis. */
export function clusterStack(): Promise<ClusterStack> {
  return multiNodeStack('cluster-stack', 'single');
}

/** 3 brokers, 3 ZooKeeper servers and a Redis Cluster: `redis` .. `redis-6`, 3 masters with a replica each. */
export async function redisClusterStack(): Promise<ClusterStack & RedisClusterHandle> {
  const stack = await multiNodeStack('redis-cluster-stack', 'cluster');
  return { ...stack, ...redisClusterHandle(stack.dir) };
}

/** 3 brokers, 3 ZooKeeper servers and Redis under Sentinel: `redis` and `redis-2` (master and replica, at first), `sentinel` .. `sentinel-3`. */
export async function redisSentinelStack(): Promise<ClusterStack & RedisSentinelHandle> {
  const stack = await multiNodeStack('redis-sentinel-stack', 'sentinel');
  return { ...stack, ...redisSentinelHandle(stack.dir) };
}

/**
 * 3 brokers and 3 ZooKeeper servers with Redis in `redisMode`, in the run's
 * scratch directory `<name>`: started by the first caller, reused (and any
 * node left down brought back) by the next ones.
 */
export async function multiNodeStack(name: string, redisMode: RedisMode): Promise<ClusterStack> {
  const dir = join(process.env.TABSTREAM_TEST_SCRATCH || tmpdir(), name);
  if (existsSync(join(dir, 'stack.json'))) {
    // Reused: a test may have left a node paused.
    for (const node of (await stackStatus(dir)).nodes) if (node.running && node.pid) signal(node.pid, 'SIGCONT');
  }
  const info = existsSync(join(dir, 'stack.json'))
    ? await startStack({ dir })
    : await startStack({
        dir,
        zkPort: await freeBase(ZK_OFFSETS),
        kafkaPort: await freeBase(KAFKA_OFFSETS),
        redisPort: await freeRedisPort(redisMode),
        brokers: 3,
        zkNodes: 3,
        redisMode,
        groupInitialRebalanceDelayMs: 3000,
      });
  const brokers = info.brokers.split(',');
  return {
    ...stackHandle(dir, info, '/tabstream-cluster'),
    zkEnsemble: async () => {
      const ports = info.zk.split(',').map((hostPort) => Number(hostPort.split(':')[1]));
      const nodes = ports.map((_, i) => (i === 0 ? 'zookeeper' : `zookeeper-${i + 1}`));
      const modes = await Promise.all(ports.map((port) => fourLetterWord(port, 'srvr').catch(() => '')));
      return { nodes, leader: nodes[modes.findIndex((reply) => /^Mode: leader$/m.test(reply))] };
    },
    leaderOf: async (topic, partition) => {
      const admin = new Admin({ clientId: 'cluster-test', bootstrapBrokers: brokers, retries: 3, retryDelay: 200 });
      try {
        const meta = await admin.metadata({ topics: [topic], forceUpdate: true });
        const p = meta.topics.get(topic)?.partitions[partition];
        if (p === undefined || p.leader < 0) throw new Error(`${topic}:${partition} has no leader`);
        return { node: p.leader === 0 ? 'kafka' : `kafka-${p.leader + 1}`, replicas: p.replicas, isr: p.isr };
      } finally {
        await admin.close().catch(() => {});
      }
    },
  };
}

/** Every process of the stack still running (the test's cleanup check). */
export async function runningNodes(dir: string): Promise<string[]> {
  return (await stackStatus(dir)).nodes.filter((n) => n.running).map((n) => n.name);
}

/**
 * Where each cluster test starts: the taba topology with 6 partitions on the
 * cluster stack (ZooKeeper sessions of 4 s), two workers, 20k events (no ids)
 * folded exactly.
 */
export async function twoWorkerRun(prefix: string): Promise<{ stack: ClusterStack; run: ExactRun }> {
  const stack = await clusterStack();
  return { stack, run: await twoWorkersOn(stack, prefix) };
}

/** The taba topology with 6 partitions on `stack` (ZooKeeper sessions of 4 s), two workers, 20k events (no ids) folded exactly. */
export async function twoWorkersOn(stack: StackHandle, prefix: string): Promise<ExactRun> {
  const run = new ExactRun(stack.config({ sessionTimeoutMs: 4000 }), prefix, 6);
  await run.deploy();
  run.startWorker();
  run.startWorker();
  await run.produce(20_000);
  await run.waitExact(90_000);
  return run;
}
