import type { Kafka } from 'kafkajs';
import type { Topology } from '../dsl';
import { needsRepartitionTopic } from '../dsl/placement';

/**
 * Creates the topology's topics that are missing: the spout topic (with
 * `partitions` partitions), its dead-letter topic, and a repartition topic
 * per bolt that needs one. Returns the spout topic's actual partition count.
 */
export async function ensureTopics(kafka: Kafka, topology: Topology, partitions: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = topology.spout.definition.topic;
    const existing = new Set(await admin.listTopics());
    const wanted: Array<{ topic: string; numPartitions: number }> = [];
    if (!existing.has(topic)) wanted.push({ topic, numPartitions: partitions });
    if (!existing.has(`${topic}.dlq`)) wanted.push({ topic: `${topic}.dlq`, numPartitions: 1 });
    const actual = existing.has(topic) ? await partitionCount(kafka, topic) : partitions;
    for (const bolt of topology.bolts) {
      const repartition = topology.repartitionTopic(bolt.name);
      if (needsRepartitionTopic(topology, bolt.name, actual) && !existing.has(repartition)) {
        wanted.push({ topic: repartition, numPartitions: topology.parallelismOf(bolt.name, actual) });
      }
    }
    if (wanted.length > 0) {
      await admin.createTopics({ topics: wanted.map((t) => ({ ...t, replicationFactor: -1 })), waitForLeaders: true });
    }
    return actual;
  } finally {
    await admin.disconnect();
  }
}

export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]!.partitions.length;
  } finally {
    await admin.disconnect();
  }
}
