import type { TabstreamConfig } from '../config';
import { loadTopology, moduleRef } from '../loader';
import { ensureTopics } from '../runtime/ensure-topics';
import { ZkClient } from '../coordination/zk-client';
import { deploySpec } from '../coordination/spec-store';
import { RedisStateStore } from '../../state/redis-state-store';
import { specFor, type TopologySpec } from './topology-spec';
import { redisClient } from '../../state/redis-client';
import { KafkaAdmin } from '../../spouts/kafka-admin';

export interface DeployOptions {
  name?: string;
  topic?: string;
  /** Partitions of the spout topic when it has to be created (default 8); an existing topic must have as many. */
  partitions?: number;
  /** Replicas of each topic it creates (default: what the cluster supports, `replicationFor`). */
  replicas?: number;
  /** `min.insync.replicas` of each topic it creates (default: as `replicationFor` says). */
  minInsyncReplicas?: number;
}

/**
 * Validates a topology, creates its topics when missing, and stores its spec
 * in ZooKeeper, where the leader picks it up and assigns its partitions.
 */
export async function deployTopology(config: TabstreamConfig, ref: string, opts: DeployOptions = {}): Promise<TopologySpec> {
  const settings = { maxEventFutureMs: config.maxEventFutureMs, staleTabAfterMs: config.staleTabAfterMs, blockedTabs: config.blockedTabs };
  // Built once here with the settings, so a bad pattern or value fails the deploy, not the workers.
  const topology = await loadTopology(ref, { name: opts.name, topic: opts.topic, ...settings });
  const admin = KafkaAdmin.of(config, 'tabstream-deploy');
  let partitions: number;
  try {
    partitions = await ensureTopics(admin, topology, opts.partitions, { replicas: opts.replicas, minInsyncReplicas: opts.minInsyncReplicas });
  } finally {
    await admin.close();
  }
  const redis = redisClient(config, { timeoutMs: config.redisTimeoutMs, maxRetriesPerRequest: 3 });
  let firstGeneration: number;
  try {
    const store = new RedisStateStore(redis, { prefix: config.redisPrefix });
    await store.setPartitionCount(topology.name, partitions);
    firstGeneration = (await store.maxGeneration(topology.name, partitions)) + 1;
  } finally {
    redis.disconnect();
  }
  const zk = await ZkClient.forConfig(config);
  try {
    for (const dir of ['topologies', 'assignments', 'offsets', 'workers', 'leader']) {
      if (!(await zk.exists(dir))) await zk.create(dir).catch(() => {});
    }
    return await deploySpec(zk, {
      ...specFor(topology, moduleRef(ref), partitions, { flushIntervalMs: config.flushIntervalMs, ...settings }),
      firstGeneration,
    });
  } finally {
    await zk.close();
  }
}
