// A flood of small bad messages on a real broker: their dead letters carry
// `tabstream-*` headers with error text, which the outbox must count when it
// sizes a send, or one send exceeds Kafka's 1 MiB limit, is refused, and
// (retried as it was) stalls every partition of the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { RedisStateStore } from '../../state/redis-state-store';
import { KafkaOutbox } from '../../topology/runtime/kafka-outbox';
import type { OutboxMessage } from '../../topology/runtime/outbox';
import { AggregateReader, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loaderProducer, type Expected } from '../support/event-loader';
import { deadLettersByReason, messagesIn, partitionsBehind } from '../support/dead-letters';
import { readTopic } from '../support/read-topic';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { KafkaAdmin } from '../../spouts/kafka-admin';

const PARTITIONS = 4;
const BAD = 6000;

describe('a flood of small dead letters', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('dlq-flood');
  const topic = `${name}-tabs`;
  const connection = KafkaConnection.of(config);
  let worker: Worker;
  let reader: AggregateReader;

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    worker = new Worker({ config, id: `${name}-w1`, log: pino({ level: 'warn' }) });
    await worker.start();
    reader = new AggregateReader(config, name);
  });

  afterAll(async () => {
    await worker?.stop();
    reader?.close();
  });

  it('lands all 6,000 in <topic>.dlq, and every partition folds on past them', async () => {
    const producer = loaderProducer(config.brokers);
    const time = Date.now();
    const messages: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
    for (let i = 0; i < BAD; i++) {
      // ~100 bytes each, spread over every partition by key.
      messages.push({ topic, key: Buffer.from(`k${i % 97}`), value: Buffer.from(`{"tab":"v_1 x","type":"counter","value":1,"time":${time},"client":"client-${String(i).padStart(6, '0')}"}`) });
    }
    await producer.send({ messages });
    // Valid events after the flood, in every partition: counted only if nothing stalled.
    const expected: Expected = new Map();
    const valid: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
    for (let i = 0; i < 400; i++) {
      const tab = `after_${i % 16}`;
      const e = expected.get(tab) ?? { count: 0, total: 0 };
      e.count++;
      e.total += 2;
      expected.set(tab, e);
      valid.push({ topic, key: Buffer.from(tab), value: Buffer.from(JSON.stringify({ tab, type: 'counter', value: 2, time, client: 'c1' })) });
    }
    await producer.send({ messages: valid });
    await producer.close();

    await waitFor('the valid events after the flood folded', () => reader.counterTotals('after_.*'), (t) => expectExact(t, expected).length === 0, 45_000);
    expect(await messagesIn(config.brokers, `${topic}.dlq`)).toBe(BAD);
    expect(await deadLettersByReason(connection, topic)).toEqual(new Map([['tab-invalid', BAD]]));
    const store = new RedisStateStore(reader.redis, { prefix: config.redisPrefix });
    await waitFor('every partition folded to its end', () => partitionsBehind(config.brokers, store, name, topic), (b) => b.length === 0, 30_000);
  });

  it('splits sends a broker with a lower limit refuses, and sends a record too large alone as a truncated copy', async () => {
    // A topic that takes record batches of at most 64 KiB (Kafka's max.message.bytes): the outbox learns it from refusals.
    const small = `${name}-small.dlq`;
    const admin = new KafkaAdmin(connection, 'dlq-flood-test');
    try {
      await admin.createTopics([{ topic: small, partitions: 1, configs: { 'max.message.bytes': String(64 * 1024) } }]);
    } finally {
      await admin.close();
    }
    const outbox = new KafkaOutbox(connection);
    await outbox.connect();
    const letter = (i: number, value = `{"tab":"v_1 x","type":"counter","value":1,"time":1,"client":"c-${i}"}`): OutboxMessage => ({
      topic: small,
      key: null,
      value: Buffer.from(value),
      headers: { 'tabstream-reason': 'tab-invalid', 'tabstream-error': `tab must be 1..200 chars of [A-Za-z0-9_.:/-], got "v_1 x" (${i})`, 'tabstream-source': `t:0:${i}` },
    });
    for (let i = 0; i < 3000; i++) outbox.push(letter(i));
    outbox.push(letter(3000, 'x'.repeat(200_000)));
    outbox.push(letter(3001));
    try {
      await outbox.drain();
    } finally {
      await outbox.close();
    }
    expect(outbox.stats.splits).toBeGreaterThan(0);
    expect(outbox.stats.truncated).toBe(1);
    expect(outbox.stats.dropped).toBe(0);

    // Every record, in order (a refused send may have written some twice: at-least-once).
    const sources: string[] = [];
    let truncated: { from: string; length: number } | undefined;
    for (const m of await readTopic(connection, small, 30_000)) {
      sources.push(m.headers['tabstream-source']!);
      const from = m.headers['tabstream-truncated-from'];
      if (from !== undefined) truncated = { from, length: m.value?.length ?? 0 };
    }
    expect(new Set(sources).size).toBe(3002);
    const firsts = sources.filter((src, i) => sources.indexOf(src) === i);
    console.log(`lower broker limit: ${outbox.stats.splits} splits, ${outbox.stats.truncated} truncated, ${sources.length - 3002} records written twice, planned send now ${outbox.stats.maxSendBytes} B`);
    expect(firsts).toEqual(Array.from({ length: 3002 }, (_, i) => `t:0:${i}`));
    expect(truncated?.from).toBe('200000');
    expect(truncated!.length).toBeLessThan(64 * 1024);
    expect(truncated!.length).toBeGreaterThan(10_000);
  });
});
