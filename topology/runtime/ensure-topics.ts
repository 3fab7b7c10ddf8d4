import type { KafkaAdmin, TopicToCreate } from '../../spouts/kafka-admin';
import type { Topology } from '../dsl';
import { needsRepartitionTopic } from '../dsl/placement';

/** Replicas of Tabstream's topics on a cluster of at least this many brokers, and the writes acks=all waits for there. */
export const MAX_REPLICATION = 3;
export const CLUSTER_MIN_ISR = 2;

/**
 * The replication a cluster of `brokers` supports: min(3, brokers) replicas,
 * and `min.insync.replicas` 2 from 3 replicas on (a write survives losing
 * one broker, and one broker down stops no producer). On one broker, nothing
 * is said: the broker's defaults, as always.
 */
export function replicationFor(brokers: number, asked: ReplicationAsked = {}): Pick<TopicToCreate, 'replicas' | 'configs'> {
  if (asked.replicas !== undefined && asked.replicas > brokers) {
    throw new Error(`--replicas ${asked.replicas}: the cluster has ${brokers} broker(s) up; a topic cannot have more replicas than brokers`);
  }
  const replicas = asked.replicas ?? Math.min(MAX_REPLICATION, brokers);
  const minIsr = asked.minInsyncReplicas ?? (replicas >= MAX_REPLICATION ? CLUSTER_MIN_ISR : undefined);
  if (minIsr !== undefined && minIsr > replicas) {
    throw new Error(`--min-isr ${minIsr} is more than the ${replicas} replica(s): no write could ever be acknowledged`);
  }
  // One broker and nothing asked: the broker's defaults, as always.
  if (brokers <= 1 && asked.replicas === undefined && asked.minInsyncReplicas === undefined) return {};
  return { replicas, ...(minIsr !== undefined && { configs: { 'min.insync.replicas': String(minIsr) } }) };
}

/** Replication an operator asked for at deploy (`--replicas`, `--min-isr`); the cluster's default where not. */
export interface ReplicationAsked {
  replicas?: number;
  minInsyncReplicas?: number;
}

/** Partitions of a spout topic that deploy creates when nothing is asked. */
export const DEFAULT_PARTITIONS = 8;

/**
 * The spout topic's partition count: an existing topic's own (a topology's
 * partitions are its topic's, and a topic's count is never changed under a
 * running topology: a Tab's partition would move), else what was asked, else
 * DEFAULT_PARTITIONS. Asking an existing topic for another count is refused,
 * not ignored.
 */
export function topicPartitions(topic: string, asked: number | undefined, existing: number | null): number {
  if (existing === null) return asked ?? DEFAULT_PARTITIONS;
  if (asked !== undefined && asked !== existing) {
    throw new Error(`--partitions ${asked}: the topic ${topic} exists with ${existing} partitions, and a topology's partitions are its topic's: drop --partitions, or deploy on a new --topic`);
  }
  return existing;
}

/**
 * Creates the topology's topics that are missing: the spout topic (with
 * `partitions` partitions, DEFAULT_PARTITIONS when not given), its
 * dead-letter topic, and a repartition topic per bolt that needs one, each
 * replicated as the cluster supports (`replicationFor`). Returns the spout
 * topic's actual partition count; `partitions` other than an existing
 * topic's is refused before anything is created.
 */
export async function ensureTopics(admin: KafkaAdmin, topology: Topology, partitions: number | undefined, asked: ReplicationAsked = {}): Promise<number> {
  const topic = topology.spout.definition.topic;
  const existing = await admin.topics();
  const actual = topicPartitions(topic, partitions, existing.has(topic) ? await admin.partitionCount(topic) : null);
  const wanted: TopicToCreate[] = [];
  if (!existing.has(topic)) wanted.push({ topic, partitions: actual });
  if (!existing.has(topology.deadLetterTopic())) wanted.push({ topic: topology.deadLetterTopic(), partitions: 1 });
  for (const bolt of topology.bolts) {
    const repartition = topology.repartitionTopic(bolt.name);
    if (needsRepartitionTopic(topology, bolt.name, actual) && !existing.has(repartition)) {
      wanted.push({ topic: repartition, partitions: topology.parallelismOf(bolt.name, actual) });
    }
  }
  if (wanted.length === 0) return actual;
  const replication = replicationFor((await admin.cluster()).brokers, asked);
  await admin.createTopics(wanted.map((t) => ({ ...t, ...replication })));
  return actual;
}
