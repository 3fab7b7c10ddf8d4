import { Kafka, logLevel } from 'kafkajs';
import type { TabstreamConfig } from '../config';
import type { ZkClient } from '../coordination/zk-client';
import { readSpec } from '../coordination/spec-store';
import { readAssignment } from '../coordination/assignment-store';
import { listWorkers, type WorkerInfo } from '../coordination/rebalancer';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { RedisStateStore } from '../../state/redis-state-store';
import type { TopologySpec } from './topology-spec';
import { redisClient } from '../../state/redis-client';

export interface PartitionStatus {
  partition: number;
  worker: string | null;
  committedOffset: number | null;
  endOffset: number;
  lag: number;
  watermark: number;
  /** The assignment generation and fencing token of the partition's last claim in Redis. */
  generation: number;
  token: number;
  events: number;
  lastFlush: number | null;
}

export interface TopologyStatus {
  spec: TopologySpec;
  generation: number | null;
  leader: string | null;
  workers: WorkerInfo[];
  partitions: PartitionStatus[];
  totalLag: number;
}

/** Everything `topology status` shows, read from ZooKeeper, Kafka and Redis. */
export async function topologyStatus(zk: ZkClient, config: TabstreamConfig, name: string): Promise<TopologyStatus> {
  const found = await readSpec(zk, name);
  if (found === null) throw new Error(`no topology named '${name}' is deployed`);
  const spec = found.spec;
  const assignment = await readAssignment(zk, name);
  const workers = await listWorkers(zk);
  const offsets = new ZkOffsetStore(zk);
  const kafka = new Kafka({ clientId: 'tabstream-status', brokers: config.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const redis = redisClient(config.redis);
  try {
    const ends = await admin.fetchTopicOffsets(spec.options.topic);
    const store = new RedisStateStore(redis, { prefix: config.redisPrefix });
    const partitions: PartitionStatus[] = [];
    for (let p = 0; p < spec.partitions; p++) {
      const committed = await offsets.get(name, spec.options.topic, p);
      const end = Number(ends.find((e) => e.partition === p)?.high ?? 0);
      const meta = await store.readMeta(name, p);
      const position = Math.max(committed ?? 0, meta.watermark + 1);
      partitions.push({
        partition: p,
        worker: assignment?.assignment.partitions[p] ?? null,
        committedOffset: committed,
        endOffset: end,
        lag: Math.max(0, end - position),
        watermark: meta.watermark,
        generation: meta.generation,
        token: meta.token,
        events: meta.events,
        lastFlush: meta.flushedAt,
      });
    }
    return {
      spec,
      generation: assignment?.assignment.generation ?? null,
      leader: assignment?.assignment.leader ?? null,
      workers,
      partitions,
      totalLag: partitions.reduce((s, p) => s + p.lag, 0),
    };
  } finally {
    await admin.disconnect();
    redis.disconnect();
  }
}

export function renderStatus(s: TopologyStatus, now = Date.now()): string {
  const lines = [
    `${s.spec.name}: ${s.spec.status}, version ${s.spec.version}, topic ${s.spec.options.topic} (${s.spec.partitions} partitions), generation ${s.generation ?? '-'}, lag ${s.totalLag}`,
    `workers: ${s.workers.map((w) => `${w.id} (${w.host}, pid ${w.pid})`).join(', ') || 'none'}`,
    'partition  worker                          committed        end        lag     events  last flush',
  ];
  for (const p of s.partitions) {
    const ago = p.lastFlush === null ? '-' : `${((now - p.lastFlush) / 1000).toFixed(1)}s ago`;
    lines.push(
      `${String(p.partition).padStart(9)}  ${(p.worker ?? '-').padEnd(30)}  ${String(p.committedOffset ?? '-').padStart(9)}  ${String(p.endOffset).padStart(9)}  ${String(p.lag).padStart(9)}  ${String(p.events).padStart(9)}  ${ago}`,
    );
  }
  return lines.join('\n');
}
