// A topic's end offsets as the tests count them, read with the admin the CLI uses.
import { KafkaAdmin, LATEST } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';

/** Each partition's end offset (next offset to be written), in partition order. */
export async function endOffsets(brokers: string[], topic: string): Promise<number[]> {
  const admin = new KafkaAdmin(new KafkaConnection(brokers), 'test-topic-ends');
  try {
    return [...((await admin.offsets([topic], LATEST)).get(topic) ?? [])].sort((a, b) => a[0] - b[0]).map(([, end]) => end);
  } finally {
    await admin.close();
  }
}

/** Messages written to all the topic's partitions so far. */
export async function messagesOn(brokers: string[], topic: string): Promise<number> {
  return (await endOffsets(brokers, topic)).reduce((s, end) => s + end, 0);
}
