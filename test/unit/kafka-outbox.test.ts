// The outbox's sizing and splitting against a fake broker that counts bytes
// as Kafka does (@platformatic/kafka's own record batch encoder) and refuses,
// as Kafka does, a record batch over its limit with MESSAGE_TOO_LARGE, in the
// error shapes the library hands back.
import { describe, expect, it } from 'vitest';
import { createRecord, createRecordsBatch, MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError, type MessageToProduce } from '@platformatic/kafka';
import {
  KafkaOutbox,
  MAX_SEND_BYTES,
  OUTBOX_RESEND,
  OutboxSendError,
  PartitionOutOfRangeError,
  headBatchLength,
  isRetriable,
  isTooLarge,
  needsNewProducer,
  recordBytes,
  truncatedCopy,
  type OutboxProducer,
} from '../../topology/runtime/kafka-outbox';
import type { OutboxMessage } from '../../topology/runtime/outbox';

/** Kafka's default message.max.bytes: the largest record batch a broker takes. */
const BROKER_LIMIT = 1_048_588;
const PRODUCE_API = 0;

type Produced = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

interface SentMessage {
  key: string | null;
  value: Buffer;
  partition?: number;
  headers?: Record<string, string>;
}

const asRecord = (m: { key: string | null; value: Buffer; headers?: Record<string, string> }) => ({
  key: m.key === null ? undefined : Buffer.from(m.key),
  value: m.value,
  headers: new Map(Object.entries(m.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
  topic: 't',
  partition: 0,
});

/** Bytes of the record batch @platformatic/kafka writes for these messages to one partition (what the broker checks). */
function actualBatchBytes(messages: Array<{ key?: Buffer | null; value?: Buffer | null; headers?: unknown }>): number {
  return createRecordsBatch(messages.map((m) => ({ key: m.key ?? undefined, value: m.value, headers: m.headers ?? new Map(), topic: 't', partition: 0 })) as never).length;
}

/** The error the library's Producer rejects with when a partition refuses a send (one destination broker). */
function refusal(code: number): Error {
  const response = new ResponseError(PRODUCE_API, 9, { '/responses/0/partitions/0': [code, null] }, {});
  return new MultipleErrors('Producing messages failed.', [response]);
}

/** A broker gone: each try failed to connect, until the retries ran out. */
function brokerDown(): Error {
  const tries = Array.from({ length: 9 }, () => new NetworkError('Connection to 127.0.0.1:19092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:19092'), { code: 'ECONNREFUSED' }) }));
  return new MultipleErrors('Producing messages failed.', [new MultipleErrors('produce failed 9 times.', tries)]);
}

/** Producers whose sends refuse any partition's batch over `limit` bytes, and can be told to fail otherwise. */
function fakeKafka(limit = BROKER_LIMIT, partitions = 64) {
  const written: SentMessage[] = [];
  const state = { sends: 0, refusals: 0, producers: 0, failNext: [] as Error[], failConnect: [] as Error[] };
  const producers = (): OutboxProducer => {
    state.producers++;
    return {
      initIdempotentProducer: async () => {
        const fail = state.failConnect.shift();
        if (fail !== undefined) throw fail;
      },
      close: async () => {},
      // Dead-letter topics have one partition, as deploy creates them.
      metadata: async ({ topics }) => ({ topics: new Map(topics.map((t) => [t, { partitionsCount: t.endsWith('.dlq') ? 1 : partitions }])) }),
      send: async ({ messages }: { messages: Produced[] }) => {
        state.sends++;
        const fail = state.failNext.shift();
        if (fail !== undefined) throw fail;
        expect(messages.every((m) => m.headers instanceof Map)).toBe(true);
        const byPartition = new Map<string, Produced[]>();
        for (const m of messages) {
          const k = `${m.topic}:${m.partition ?? 0}`;
          byPartition.set(k, [...(byPartition.get(k) ?? []), m]);
        }
        for (const batch of byPartition.values()) {
          if (actualBatchBytes(batch) > limit) {
            state.refusals++;
            throw refusal(10);
          }
        }
        for (const m of messages) {
          written.push({
            key: m.key === undefined ? null : m.key.toString(),
            value: m.value!,
            partition: m.partition,
            headers: Object.fromEntries([...(m.headers as Map<Buffer, Buffer>)].map(([k, v]) => [k.toString(), v.toString()])),
          });
        }
      },
    };
  };
  return { kafka: producers, written, state };
}

/** A dead letter as the runtime writes it for a ~100-byte message with an invalid Tab. */
function deadLetter(i: number): OutboxMessage {
  const value = Buffer.from(`{"tab":"v_1 x","type":"counter","value":1,"time":1700000000000,"client":"client-${String(i).padStart(6, '0')}"}`);
  return {
    topic: 'tabs.dlq',
    key: null,
    value,
    headers: {
      'tabstream-reason': 'tab-invalid',
      'tabstream-error': `tab must be 1..200 chars of [A-Za-z0-9_.:/-], got "v_1 x" (message ${i}, with some more words of explanation)`,
      'tabstream-source': `tabs:3:${1_000_000 + i}`,
    },
  };
}

describe('recordBytes', () => {
  it('is what @platformatic/kafka writes for the record, headers included, or a few bytes more, never less', () => {
    const cases: Array<Pick<OutboxMessage, 'key' | 'value' | 'headers'>> = [
      { key: null, value: Buffer.alloc(0) },
      { key: 'bids', value: Buffer.from('x'.repeat(200)) },
      { key: null, value: Buffer.alloc(300_000), headers: { 'tabstream-error': 'é€😀'.repeat(500), 'tabstream-reason': 'bad-json' } },
      deadLetter(7),
    ];
    for (const m of cases) {
      const actual = createRecord({ ...asRecord({ key: m.key, value: m.value, headers: m.headers }), timestamp: 1_700_000_100_000n }, 4999, 1_700_000_000_000n).length;
      expect(recordBytes(m)).toBeGreaterThanOrEqual(actual);
      expect(recordBytes(m)).toBeLessThanOrEqual(actual + 16);
    }
  });

  it('plans a send of dead letters by their real size, headers and all, under the limit', () => {
    const buffer = Array.from({ length: 6000 }, (_, i) => deadLetter(i));
    const n = headBatchLength(buffer, 5000, MAX_SEND_BYTES);
    expect(n).toBeGreaterThan(1000);
    expect(actualBatchBytes(buffer.slice(0, n).map(asRecord))).toBeLessThanOrEqual(MAX_SEND_BYTES);
    // Value + key + 64 bytes (the old estimate) would have put 4,000+ of them, over 1 MiB, in one send.
    expect(actualBatchBytes(buffer.slice(0, 4500).map(asRecord))).toBeGreaterThan(BROKER_LIMIT);
  });

  it('cuts a copy to the size asked for, saying what it was cut from', () => {
    const big: OutboxMessage = { topic: 't.dlq', key: null, value: Buffer.alloc(500_000, 0x61), headers: { 'tabstream-reason': 'bad-json', 'tabstream-error': 'e'.repeat(10_000) } };
    const copy = truncatedCopy(big, 100_000);
    expect(recordBytes(copy)).toBeLessThanOrEqual(100_000);
    expect(copy.value.length).toBeGreaterThan(90_000);
    expect(copy.headers!['tabstream-truncated-from']).toBe('500000');
    expect(copy.headers!['tabstream-reason']).toBe('bad-json');
    expect(truncatedCopy(copy, 50_000).headers!['tabstream-truncated-from']).toBe('500000');
  });
});

describe('KafkaOutbox', () => {
  it('gets 6,000 dead letters with long headers past a 1 MiB broker without one refusal, in order', async () => {
    const { kafka, written, state } = fakeKafka();
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    const sent = Array.from({ length: 6000 }, (_, i) => deadLetter(i));
    for (const m of sent) outbox.push(m);
    await outbox.drain();
    expect(state.refusals).toBe(0);
    expect(written.map((m) => m.headers!['tabstream-source'])).toEqual(sent.map((m) => m.headers!['tabstream-source']));
  });

  it('splits a send a broker with a lower limit refuses, down to what it takes, and plans smaller sends from then on', async () => {
    const { kafka, written, state } = fakeKafka(100 * 1024);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    const sent = Array.from({ length: 6000 }, (_, i) => deadLetter(i));
    for (const m of sent) outbox.push(m);
    await outbox.drain();
    expect(written.map((m) => m.headers!['tabstream-source'])).toEqual(sent.map((m) => m.headers!['tabstream-source']));
    expect(state.refusals).toBeGreaterThan(0);
    expect(state.refusals).toBeLessThan(10);
    expect(outbox.stats.maxSendBytes).toBeLessThanOrEqual(100 * 1024);
    expect(outbox.stats.truncated + outbox.stats.dropped).toBe(0);
  });

  it('sends a record too large even alone as a truncated copy, and moves on', async () => {
    const { kafka, written } = fakeKafka(100 * 1024);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    const huge: OutboxMessage = { topic: 'tabs.dlq', key: null, value: Buffer.alloc(300_000, 0x5b), headers: { 'tabstream-reason': 'not-an-event', 'tabstream-error': 'x' } };
    outbox.push(deadLetter(1));
    outbox.push(huge);
    outbox.push(deadLetter(2));
    await outbox.drain();
    expect(written).toHaveLength(3);
    expect(written[1]!.headers!['tabstream-truncated-from']).toBe('300000');
    expect(written[1]!.headers!['tabstream-reason']).toBe('not-an-event');
    expect(written[1]!.value.length).toBeLessThan(100 * 1024);
    expect(written[1]!.value.length).toBeGreaterThan(30_000);
    expect(written[2]!.headers!['tabstream-source']).toBe(deadLetter(2).headers!['tabstream-source']);
    expect(outbox.stats.truncated).toBe(1);
  });

  it('drops (and counts) a record a broker refuses even at 1 KiB, rather than stall', async () => {
    const { kafka, written } = fakeKafka(500);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    outbox.push({ topic: 't', key: null, value: Buffer.alloc(5_000), headers: { 'tabstream-error': 'y'.repeat(3000) } });
    await outbox.drain();
    expect(written).toHaveLength(0);
    expect(outbox.stats.dropped).toBe(1);
  });

  it('sends a partition whose leader moved again within the drain', async () => {
    const { kafka, written, state } = fakeKafka();
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    outbox.push(deadLetter(1));
    state.failNext.push(refusal(6), brokerDown()); // NOT_LEADER_OR_FOLLOWER, then the old leader gone
    await outbox.drain();
    expect(state.sends).toBe(3);
    expect(written).toHaveLength(1);
    expect(state.producers).toBe(1);
  });

  it('rejects drain on other failures, says whether a retry may help, and keeps the records for it', async () => {
    const { kafka, written, state } = fakeKafka();
    // No send again within the drain (a deadline of 0): the broker down is reported at once.
    const outbox = new KafkaOutbox(kafka, undefined, undefined, { ...OUTBOX_RESEND, deadlineMs: 0 });
    await outbox.connect();
    outbox.push(deadLetter(1));
    state.failNext.push(brokerDown());
    const err = await outbox.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboxSendError);
    expect((err as OutboxSendError).retriable).toBe(true);
    expect(outbox.buffered).toBe(1);
    state.failNext.push(refusal(29)); // TOPIC_AUTHORIZATION_FAILED
    expect(((await outbox.drain().catch((e: unknown) => e)) as OutboxSendError).retriable).toBe(false);
    await outbox.drain();
    expect(written).toHaveLength(1);
    expect(state.producers).toBe(1);
  });

  it('sends exactly the failed records again after a timeout (it may have written them: receivers drop a copy)', async () => {
    const { kafka, written, state } = fakeKafka();
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    for (let i = 0; i < 10; i++) outbox.push(deadLetter(i));
    state.failNext.push(new MultipleErrors('Producing messages failed.', [new TimeoutError('Request timed out.')]));
    expect(((await outbox.drain().catch((e: unknown) => e)) as OutboxSendError).retriable).toBe(true);
    for (let i = 10; i < 20; i++) outbox.push(deadLetter(i));
    await outbox.drain();
    expect(state.sends).toBe(3); // the 10 again, then the 10 pushed since
    expect(written.map((m) => m.headers!['tabstream-source'])).toEqual(Array.from({ length: 20 }, (_, i) => deadLetter(i).headers!['tabstream-source']));
  });

  it('takes a fresh producer when the broker refuses the producer itself (sequence numbers, epoch)', async () => {
    const { kafka, written, state } = fakeKafka();
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    outbox.push(deadLetter(1));
    state.failNext.push(refusal(45)); // OUT_OF_ORDER_SEQUENCE_NUMBER
    const err = (await outbox.drain().catch((e: unknown) => e)) as OutboxSendError;
    expect(err.retriable).toBe(true);
    expect(state.producers).toBe(2);
    await outbox.drain();
    expect(written).toHaveLength(1);
  });

  it('sends with a fresh producer after a refusal, and reports a failure to connect it as retriable', async () => {
    const { kafka, written, state } = fakeKafka(100 * 1024);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    for (let i = 0; i < 1000; i++) outbox.push(deadLetter(i));
    state.failConnect.push(new MultipleErrors('initProducerId failed 9 times.', [new NetworkError('Connection to 127.0.0.1:19092 failed.')]));
    const err = await outbox.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboxSendError);
    expect((err as OutboxSendError).retriable).toBe(true);
    expect(state.producers).toBe(2);
    await outbox.drain();
    expect(written).toHaveLength(1000);
    expect(outbox.buffered).toBe(0);
  });

  it('refuses a record for a partition its topic does not have, rather than let it wrap onto another', async () => {
    const { kafka, written } = fakeKafka(BROKER_LIMIT, 4);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    outbox.push({ topic: 'x.repartition', partition: 3, key: 'a', value: Buffer.from('{}') });
    await outbox.drain();
    outbox.push({ topic: 'x.repartition', partition: 4, key: 'b', value: Buffer.from('{}') });
    const err = (await outbox.drain().catch((e: unknown) => e)) as OutboxSendError;
    expect(err).toBeInstanceOf(OutboxSendError);
    expect(err.cause).toBeInstanceOf(PartitionOutOfRangeError);
    expect(err.message).toMatch(/x\.repartition has 4 partitions: no partition 4/);
    expect(err.retriable).toBe(false);
    expect(written.map((m) => m.partition)).toEqual([3]);
    expect(outbox.buffered).toBe(1);
  });

  it("classifies @platformatic/kafka's errors", () => {
    const tooLarge = refusal(10);
    expect(isTooLarge(tooLarge)).toBe(true);
    expect(isTooLarge(refusal(18))).toBe(true);
    expect(isTooLarge(new ProtocolError(10))).toBe(true);
    expect(isTooLarge(brokerDown())).toBe(false);
    expect(isRetriable(tooLarge)).toBe(false);
    expect(isRetriable(refusal(6))).toBe(true); // NOT_LEADER_OR_FOLLOWER
    expect(isRetriable(refusal(19))).toBe(true); // NOT_ENOUGH_REPLICAS
    expect(isRetriable(refusal(29))).toBe(false); // TOPIC_AUTHORIZATION_FAILED
    expect(isRetriable(refusal(87))).toBe(false); // INVALID_RECORD
    expect(isRetriable(brokerDown())).toBe(true);
    expect(isRetriable(new TimeoutError('Request timed out.'))).toBe(true); // the library says canRetry: false; the broker may be back
    expect(isRetriable(new MultipleErrors('metadata failed.', [new UserError('Unknown topic tabs.dlq.')]))).toBe(true);
    expect(isRetriable(new UserError('Failed to serialize a message.'))).toBe(false);
    expect(isRetriable(new Error('anything else'))).toBe(true);
    expect(needsNewProducer(refusal(45))).toBe(true);
    expect(needsNewProducer(refusal(47))).toBe(true); // INVALID_PRODUCER_EPOCH
    expect(needsNewProducer(brokerDown())).toBe(false);
    expect(isRetriable(refusal(45))).toBe(true);
  });
});
