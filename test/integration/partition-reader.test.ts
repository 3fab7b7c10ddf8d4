// PartitionReader on the test stack's broker: exactly the given partitions
// from the given offsets, in order, with no consumer group; pause and resume
// of one partition; transaction markers and aborted transactions never handed
// over; a position Kafka no longer holds reported, not spun on.
// KafkaJS stays here only as an independent oracle: its transactional
// producer writes the committed and aborted transactions the reader must filter.
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionReader } from '../../spouts/partition-reader';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { KafkaAdmin } from '../../spouts/kafka-admin';
import { loaderProducer } from '../support/event-loader';
import type { InputRecord } from '../../contracts/input-consumer';
import { testStack } from '../support/stack-env';
import { uniqueName, waitFor } from '../support/pipeline-harness';

const stack = testStack();
const brokers = [stack.brokers];
const topic = uniqueName('reader');
const kafka = new Kafka({ clientId: 'reader-test', brokers, logLevel: logLevel.NOTHING });
const connection = new KafkaConnection(brokers);

/** Every consumer group the broker knows, of either protocol (a reader that joined one would show here). */
async function groupCount(): Promise<number> {
  const admin = new Admin(connection.clientOptions('reader-test-groups'));
  try {
    return (await admin.listGroups({ types: ['classic', 'consumer'] })).size;
  } finally {
    await admin.close();
  }
}

/** What a reader handed over, per partition, as offset -> value. */
function collector() {
  const got = new Map<number, Array<[number, string]>>();
  const onBatch = async (_topic: string, partition: number, records: InputRecord[]) => {
    const list = got.get(partition) ?? [];
    for (const r of records) list.push([Number(r.offset), r.value!.toString()]);
    got.set(partition, list);
  };
  return { got, onBatch };
}

describe('PartitionReader', () => {
  const admin = new KafkaAdmin(connection, 'reader-test');

  beforeAll(async () => {
    await admin.createTopics([{ topic, partitions: 4 }]);
    const producer = loaderProducer(brokers, 'reader-test');
    try {
      for (let p = 0; p < 4; p++) {
        await producer.send({ messages: Array.from({ length: 500 }, (_, i) => ({ topic, partition: p, value: Buffer.from(`p${p}-${i}`) })) });
      }
    } finally {
      await producer.close();
    }
  });

  afterAll(async () => {
    await admin.deleteTopics([topic]).catch(() => {});
    await admin.close();
  });

  it('reads exactly the given partitions from the given offsets, in order, without joining a group', async () => {
    const { got, onBatch } = collector();
    const groupsBefore = await groupCount();
    const started = Date.now();
    const reader = new PartitionReader({
      connection,
      partitions: [
        { topic, partition: 1, start: 100 },
        { topic, partition: 3, start: 0 },
      ],
      onBatch,
    });
    await reader.start();
    try {
      await waitFor('both partitions read to their end', async () => got, (g) => (g.get(1)?.length ?? 0) === 400 && (g.get(3)?.length ?? 0) === 500, 20_000);
      console.log(`first records of both partitions ${Date.now() - started} ms after the reader was made`);
      expect([...got.keys()].sort()).toEqual([1, 3]);
      expect(got.get(1)).toEqual(Array.from({ length: 400 }, (_, i) => [100 + i, `p1-${100 + i}`]));
      expect(got.get(3)).toEqual(Array.from({ length: 500 }, (_, i) => [i, `p3-${i}`]));
      expect(await groupCount()).toBe(groupsBefore);
    } finally {
      await reader.stop();
    }
  });

  it('pauses and resumes one partition, the others reading on, and hands nothing over once stopped', async () => {
    const { got, onBatch } = collector();
    const reader = new PartitionReader({
      connection,
      partitions: [0, 2].map((partition) => ({ topic, partition, start: 0 })),
      onBatch,
    });
    reader.pausePartitions([{ topic, partition: 2 }]);
    await reader.start();
    const producer = loaderProducer(brokers, 'reader-test');
    try {
      await waitFor('partition 0 read', async () => got.get(0)?.length ?? 0, (n) => n === 500, 20_000);
      expect(got.get(2)).toBeUndefined();
      reader.resumePartitions([{ topic, partition: 2 }]);
      await waitFor('partition 2 read after resume', async () => got.get(2)?.length ?? 0, (n) => n === 500, 20_000);
      expect(got.get(2)!.map(([o]) => o)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      await reader.stop();
      await producer.send({ messages: [{ topic, partition: 0, value: Buffer.from('after-stop') }] });
      await new Promise((r) => setTimeout(r, 500));
      expect(got.get(0)!.length).toBe(500);
    } finally {
      await producer.close();
      await reader.stop();
    }
  });

  it('never hands over transaction markers or records of aborted transactions, and steps past them', async () => {
    const txTopic = uniqueName('reader-tx');
    await admin.createTopics([{ topic: txTopic, partitions: 1 }]);
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic: txTopic, messages: [{ value: 'c1' }, { value: 'c2' }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic: txTopic, messages: [{ value: 'a1' }, { value: 'a2' }] });
      await aborted.abort();
      const again = await producer.transaction();
      await again.send({ topic: txTopic, messages: [{ value: 'c3' }] });
      await again.commit();
      const { got, onBatch } = collector();
      const reader = new PartitionReader({ connection, partitions: [{ topic: txTopic, partition: 0, start: 0 }], onBatch });
      await reader.start();
      try {
        await waitFor('the committed records', async () => got.get(0)?.map(([, v]) => v) ?? [], (v) => v.length >= 3, 20_000);
        await new Promise((r) => setTimeout(r, 500));
        expect(got.get(0)!.map(([, v]) => v)).toEqual(['c1', 'c2', 'c3']);
      } finally {
        await reader.stop();
      }
    } finally {
      await producer.disconnect();
      await admin.deleteTopics([txTopic]).catch(() => {});
    }
  });

  it('reports a position Kafka does not hold instead of spinning on it', async () => {
    const unreadable: string[] = [];
    const { onBatch } = collector();
    const reader = new PartitionReader({
      connection,
      partitions: [{ topic, partition: 0, start: 1_000_000 }],
      onBatch,
      onUnreadable: (_t, _p, reason) => void unreadable.push(reason),
    });
    await reader.start();
    try {
      await waitFor('the report', async () => unreadable.length, (n) => n > 0, 10_000);
      expect(unreadable[0]).toMatch(/offset 1000000 of .*:0 is no longer in Kafka's log/);
      await new Promise((r) => setTimeout(r, 500));
      expect(unreadable.length).toBe(1);
    } finally {
      await reader.stop();
    }
  });
});
