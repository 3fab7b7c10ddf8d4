// The test stack's Kafka: a topic can be created, written and read back through KafkaJS.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testStack } from '../support/stack-env';

const stack = testStack();
const kafka = new Kafka({ clientId: 'stack-kafka-test', brokers: [stack.brokers], logLevel: logLevel.NOTHING });
const topic = `stack-kafka-test-${process.pid}-${Date.now()}`;

describe('Kafka on the test stack', () => {
  const admin = kafka.admin();

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates a topic, produces keyed messages and consumes them in partition order', async () => {
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `tab-${i % 3}`, value: JSON.stringify({ n: i }) }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; n: number; partition: number }[] = [];
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key!.toString(), n: JSON.parse(message.value!.toString()).n, partition });
          if (received.length === sent.length) done();
        },
      });
    });
    await consumer.disconnect();

    expect(received.map((m) => m.n).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    // Messages with one key land in one partition, in the order they were sent.
    for (const key of ['tab-0', 'tab-1', 'tab-2']) {
      const ofKey = received.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.n)).toEqual([...ofKey.map((m) => m.n)].sort((a, b) => a - b));
    }
  });

  it('refuses to auto-create a topic that was never created', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    await expect(producer.send({ topic: `${topic}-never-created`, messages: [{ value: 'x' }], timeout: 2_000 })).rejects.toThrow();
    await producer.disconnect();
  });
});
