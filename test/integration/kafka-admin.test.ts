// KafkaAdmin (spouts/kafka-admin.ts) on the test stack's broker: topics
// created once (a second create of an existing topic is fine) with their
// configs and leaders, earliest / end / by-time offsets as KafkaJS's admin
// gave them, and a broker that is not there said in one line, within its timeout.
import { Producer } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { EARLIEST, KafkaAdmin, LATEST, kafkaErrorLine } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { testStack } from '../support/stack-env';
import { uniqueName } from '../support/pipeline-harness';

const brokers = [testStack().brokers];
const admin = new KafkaAdmin(new KafkaConnection(brokers), 'kafka-admin-test', 5_000);
const topic = uniqueName('admin');

afterAll(async () => {
  await admin.deleteTopics([topic, `${topic}.small`]).catch(() => {});
  await admin.close();
});

describe('KafkaAdmin', () => {
  it('creates topics once, with their partition counts and configs, and reads earliest, end and by-time offsets', async () => {
    await admin.createTopics([
      { topic, partitions: 3 },
      { topic: `${topic}.small`, partitions: 1, configs: { 'max.message.bytes': String(64 * 1024) } },
    ]);
    await admin.createTopics([{ topic, partitions: 3 }]); // exists: nothing to do
    expect((await admin.topics()).has(`${topic}.small`)).toBe(true);
    expect(await admin.partitionCount(topic)).toBe(3);

    const producer = new Producer({ ...new KafkaConnection(brokers).clientOptions('kafka-admin-test'), retries: 0 });
    const t0 = Date.now() - 60_000;
    try {
      // Partition 0: five records a second apart from t0; partition 1: one at t0; partition 2: none.
      await producer.send({
        messages: [
          ...Array.from({ length: 5 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(`r${i}`), timestamp: BigInt(t0 + i * 1000) })),
          { topic, partition: 1, value: Buffer.from('one'), timestamp: BigInt(t0) },
        ],
        acks: -1,
      });
    } finally {
      await producer.close();
    }
    const earliest = await admin.offsets([topic, `${topic}.small`], EARLIEST);
    expect([...earliest.get(topic)!].sort()).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(earliest.get(`${topic}.small`)).toEqual(new Map([[0, 0]]));
    expect([...(await admin.offsets([topic], LATEST)).get(topic)!].sort()).toEqual([[0, 5], [1, 1], [2, 0]]);
    // The first record at or after the time; past the last record, the end offset.
    expect([...(await admin.offsets([topic], t0 + 2500)).get(topic)!].sort()).toEqual([[0, 3], [1, 1], [2, 0]]);
    expect([...(await admin.offsets([topic], t0)).get(topic)!].sort()).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it('says what it asked and why it failed, in one line, when Kafka is not there', async () => {
    const down = new KafkaAdmin(new KafkaConnection(['127.0.0.1:1']), 'kafka-admin-test', 2_000);
    const started = Date.now();
    try {
      const err = await down.offsets(['tabs'], LATEST).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^could not read the offsets of tabs from Kafka: .*ECONNREFUSED/);
      expect(err?.message).not.toContain('\n');
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await down.close();
    }
    expect(await admin.partitionCount(`${topic}-never`).catch((e: Error) => e.message)).toMatch(/^could not read the metadata of .*-never from Kafka: /);
  });

  it('flattens gathered errors and causes into one line, each message once', () => {
    const inner = Object.assign(new Error('Connection to b:1 failed.'), { cause: new Error('connect ECONNREFUSED b:1') });
    const gathered = new AggregateError([inner, inner], 'listOffsets failed 2 times.');
    expect(kafkaErrorLine(gathered)).toBe('Connection to b:1 failed: connect ECONNREFUSED b:1');
    expect(kafkaErrorLine(new Error('a\nb'))).toBe('a b');
  });
});
