import type { TabstreamConfig } from '../config';
import type { ZkClient } from '../coordination/zk-client';
import { readSpec } from '../coordination/spec-store';
import { readAssignment } from '../coordination/assignment-store';
import { listWorkers, type WorkerInfo } from '../coordination/rebalancer';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { RedisStateStore, type PartitionMeta } from '../../state/redis-state-store';
import { KafkaAdmin, LATEST } from '../../spouts/kafka-admin';
import type { TopologySpec } from './topology-spec';
import { CLIENT_TIMEOUT_MS, redisClient } from '../../state/redis-client';

/** A partition's figures; those of a service that did not answer are null. */
export interface PartitionStatus {
  partition: number;
  worker: string | null;
  /** ZooKeeper's mirror of the next offset to read. */
  committedOffset: number | null;
  endOffset: number | null;
  /** Records after Redis's watermark (the truth) up to the end offset. */
  lag: number | null;
  watermark: number | null;
  /** The assignment generation and fencing token of the partition's last claim in Redis. */
  generation: number | null;
  token: number | null;
  events: number | null;
  lastFlush: number | null;
  /** Why the partition is not moving (its owner's report, or what status sees); null when it moves or idles. */
  stalled: { kind: string; reason: string; since: number } | null;
}

export interface TopologyStatus {
  spec: TopologySpec;
  generation: number | null;
  leader: string | null;
  workers: WorkerInfo[];
  partitions: PartitionStatus[];
  totalLag: number;
  /** The services that did not answer, each with what it said (empty when all did). */
  unavailable: string[];
}

/**
 * Everything `topology status` shows, read from ZooKeeper, Kafka and Redis.
 * ZooKeeper is needed (the spec and assignment live there); a Kafka or Redis
 * that does not answer within a few seconds is named in `unavailable`, and
 * what it would have told (end offsets; watermarks and flushes) is missing,
 * while the workers' own reports of stalled partitions still show.
 */
export async function topologyStatus(zk: ZkClient, config: TabstreamConfig, name: string, timeoutMs = CLIENT_TIMEOUT_MS): Promise<TopologyStatus> {
  const found = await readSpec(zk, name);
  if (found === null) throw new Error(`no topology named '${name}' is deployed`);
  const spec = found.spec;
  const unavailable: string[] = [];
  const [ends, metas] = await Promise.all([
    endOffsets(config, spec.options.topic, timeoutMs).catch((err: Error) => {
      unavailable.push(`Kafka: ${err.message}`);
      return null;
    }),
    partitionMetas(config, name, spec.partitions, timeoutMs).catch((err: Error) => {
      unavailable.push(`Redis: ${err.message}`);
      return null;
    }),
  ]);
  // Read after Kafka and Redis, not before: while one of them hangs those reads take their whole
  // timeout, and the workers' reports of stalls (in ZooKeeper, answered in ms) would be that old.
  const [assignment, workers] = await Promise.all([readAssignment(zk, name), listWorkers(zk)]);
  const offsets = new ZkOffsetStore(zk);
  const committed = await Promise.all(Array.from({ length: spec.partitions }, (_, p) => offsets.get(name, spec.options.topic, p)));
  const now = Date.now();
  const partitions: PartitionStatus[] = [];
  for (let p = 0; p < spec.partitions; p++) {
    const meta = metas?.[p] ?? null;
    const end = ends?.get(p) ?? null;
    const worker = assignment?.assignment.partitions[p] ?? null;
    const lag = end === null || meta === null ? null : Math.max(0, end - (meta.watermark + 1));
    partitions.push({
      partition: p,
      worker,
      committedOffset: committed[p] ?? null,
      endOffset: end,
      lag,
      watermark: meta?.watermark ?? null,
      generation: meta?.generation ?? null,
      token: meta?.token ?? null,
      events: meta?.events ?? null,
      lastFlush: meta?.flushedAt ?? null,
      stalled: stallOf(spec, workers, worker, p, lag, meta?.flushedAt ?? null, now),
    });
  }
  return {
    spec,
    generation: assignment?.assignment.generation ?? null,
    leader: assignment?.assignment.leader ?? null,
    workers,
    partitions,
    totalLag: partitions.reduce((s, p) => s + (p.lag ?? 0), 0),
    unavailable,
  };
}

/** The topic's end offsets, from a Kafka admin client that gives up within a few seconds. */
async function endOffsets(config: TabstreamConfig, topic: string, timeoutMs: number): Promise<Map<number, number>> {
  const admin = KafkaAdmin.of(config, 'tabstream-status', timeoutMs);
  try {
    return (await admin.offsets([topic], LATEST)).get(topic) ?? new Map();
  } finally {
    void admin.close();
  }
}

/** Every partition's meta hash, in one pipelined round on a client that gives up within a few seconds. */
async function partitionMetas(config: TabstreamConfig, topology: string, partitions: number, timeoutMs: number): Promise<PartitionMeta[]> {
  const redis = redisClient(config, { timeoutMs, maxRetriesPerRequest: 0 });
  try {
    return await new RedisStateStore(redis, { prefix: config.redisPrefix }).readMetas(topology, partitions);
  } finally {
    redis.disconnect();
  }
}

/**
 * Why a partition does not move: its owner's own report; else, with records
 * waiting, no owner or no checkpoint for a long while. A partition with no
 * lag is idle, not stalled, however old its last flush.
 */
export function stallOf(
  spec: TopologySpec,
  workers: WorkerInfo[],
  owner: string | null,
  partition: number,
  lag: number | null,
  lastFlush: number | null,
  now: number,
): PartitionStatus['stalled'] {
  const reported = workers.find((w) => w.id === owner)?.health?.stalls[spec.name]?.[String(partition)];
  if (reported !== undefined) return reported;
  if (lag === null || lag === 0 || spec.status !== 'active') return null;
  if (owner === null) return { kind: 'unassigned', reason: `no worker owns it (${lag} records waiting)`, since: lastFlush ?? now };
  if (!workers.some((w) => w.id === owner)) return { kind: 'owner_gone', reason: `its owner ${owner} left the cluster (${lag} records waiting)`, since: lastFlush ?? now };
  const quiet = Math.max(STALL_AFTER_MS, 5 * spec.config.flushIntervalMs);
  if (lastFlush !== null && now - lastFlush > quiet) {
    return { kind: 'no_progress', reason: `no checkpoint for ${Math.round((now - lastFlush) / 1000)} s with ${lag} records waiting`, since: lastFlush };
  }
  return null;
}

/** With records waiting, a partition without a checkpoint for this long counts as stalled. */
const STALL_AFTER_MS = 10_000;

export function renderStatus(s: TopologyStatus, now = Date.now()): string {
  const lines = [
    ...s.unavailable.map((u) => `UNAVAILABLE ${u}`),
    `${s.spec.name}: ${s.spec.status}, version ${s.spec.version}, topic ${s.spec.options.topic} (${s.spec.partitions} partitions), generation ${s.generation ?? '-'}, lag ${s.totalLag}`,
    `workers: ${s.workers.map((w) => `${w.id} (${w.host}, pid ${w.pid})`).join(', ') || 'none'}`,
    'partition  worker                          committed        end        lag     events  last flush',
  ];
  const live = new Set(s.workers.map((w) => w.id));
  for (const p of s.partitions) {
    const ago = p.lastFlush === null ? '-' : `${((now - p.lastFlush) / 1000).toFixed(1)}s ago`;
    // The assignment names it until the leader hands its partitions on: say it is no longer in the cluster.
    const owner = p.worker === null ? '-' : live.has(p.worker) ? p.worker : `${p.worker} (gone)`;
    lines.push(
      `${String(p.partition).padStart(9)}  ${owner.padEnd(30)}  ${String(p.committedOffset ?? '-').padStart(9)}  ${String(p.endOffset ?? '?').padStart(9)}  ${String(p.lag ?? '?').padStart(9)}  ${String(p.events ?? '?').padStart(9)}  ${ago}${p.stalled === null ? '' : `  STALLED ${((now - p.stalled.since) / 1000).toFixed(0)}s: ${p.stalled.reason}`}`,
    );
  }
  return lines.join('\n');
}
