import type { KafkaAdmin } from '../../spouts/kafka-admin';
import type { Topology } from '../dsl';
import { needsRepartitionTopic } from '../dsl/placement';

/**
 * Creates the topology's topics that are missing: the spout topic (with
 * `partitions` partitions), its dead-letter topic, and a repartition topic
 * per bolt that needs one. Returns the spout topic's actual partition count.
 */
export async function ensureTopics(admin: KafkaAdmin, topology: Topology, partitions: number): Promise<number> {
  const topic = topology.spout.definition.topic;
  const existing = await admin.topics();
  const wanted: Array<{ topic: string; partitions: number }> = [];
  if (!existing.has(topic)) wanted.push({ topic, partitions });
  if (!existing.has(`${topic}.dlq`)) wanted.push({ topic: `${topic}.dlq`, partitions: 1 });
  const actual = existing.has(topic) ? await admin.partitionCount(topic) : partitions;
  for (const bolt of topology.bolts) {
    const repartition = topology.repartitionTopic(bolt.name);
    if (needsRepartitionTopic(topology, bolt.name, actual) && !existing.has(repartition)) {
      wanted.push({ topic: repartition, partitions: topology.parallelismOf(bolt.name, actual) });
    }
  }
  await admin.createTopics(wanted);
  return actual;
}
