import { KafkaAdmin, LATEST } from '../spouts/kafka-admin';
import { KafkaConnection } from '../spouts/kafka-connection';

/** The end offset (next offset to be written) of every partition of a topic. */
export async function topicEndOffsets(brokers: string[], topic: string): Promise<Map<number, number>> {
  const admin = new KafkaAdmin(new KafkaConnection(brokers), 'bench-offsets');
  try {
    return (await admin.offsets([topic], LATEST)).get(topic) ?? new Map();
  } finally {
    await admin.close();
  }
}
