// The test stack's Kafka: a topic can be created, written and read back through
// the clients Tabstream uses (@platformatic/kafka's Admin and Producer, and the
// workers' PartitionReader).
import { Producer, compatibilityPartitioner } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaAdmin } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { PartitionReader } from '../../spouts/partition-reader';
import { testStack } from '../support/stack-env';

const stack = testStack();
const connection = new KafkaConnection([stack.brokers]);
const topic = `stack-kafka-test-${process.pid}-${Date.now()}`;

describe('Kafka on the test stack', () => {
  const admin = new KafkaAdmin(connection, 'stack-kafka-test');

  afterAll(async () => {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
  });

  it('creates a topic, produces keyed messages and consumes them in partition order', async () => {
    await admin.createTopics([{ topic, partitions: 2 }]);
    expect(await admin.partitionCount(topic)).toBe(2);

    const producer = new Producer({ ...connection.clientOptions('stack-kafka-test'), partitioner: compatibilityPartitioner });
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `tab-${i % 3}`, value: JSON.stringify({ n: i }) }));
    try {
      await producer.send({ messages: sent.map((m) => ({ topic, key: Buffer.from(m.key), value: Buffer.from(m.value) })), acks: -1 });
    } finally {
      await producer.close();
    }

    const received: { key: string; n: number; partition: number }[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const reader = new PartitionReader({
      connection,
      partitions: [0, 1].map((partition) => ({ topic, partition, start: 0 })),
      onBatch: async (_topic, partition, records) => {
        for (const r of records) received.push({ key: r.key!.toString(), n: JSON.parse(r.value!.toString()).n, partition });
        if (received.length === sent.length) done();
      },
    });
    await reader.start();
    try {
      await all;
    } finally {
      await reader.stop();
    }

    expect(received.map((m) => m.n).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    // Messages with one key land in one partition, in the order they were sent.
    for (const key of ['tab-0', 'tab-1', 'tab-2']) {
      const ofKey = received.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.n)).toEqual([...ofKey.map((m) => m.n)].sort((a, b) => a - b));
    }
  });

  it('refuses to auto-create a topic that was never created', async () => {
    const producer = new Producer({ ...connection.clientOptions('stack-kafka-test'), autocreateTopics: true, retries: 1, timeout: 2_000 });
    try {
      await expect(producer.send({ messages: [{ topic: `${topic}-never-created`, value: Buffer.from('x') }] })).rejects.toThrow();
    } finally {
      await producer.close();
    }
    expect((await admin.topics()).has(`${topic}-never-created`)).toBe(false);
  });
});
