// The outbox's sizing and splitting against a fake broker that counts bytes
// as Kafka does (KafkaJS's own record encoder) and refuses, as Kafka does, a
// record batch over its limit with MESSAGE_TOO_LARGE.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, type Kafka } from 'kafkajs';
import { KafkaOutbox, MAX_SEND_BYTES, OutboxSendError, headBatchLength, isRetriable, isTooLarge, recordBytes, truncatedCopy } from '../../topology/runtime/kafka-outbox';
import type { OutboxMessage } from '../../topology/runtime/outbox';

const require = createRequire(import.meta.url);
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: {
  offsetDelta: number;
  timestampDelta: number;
  key: string | Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
}) => { buffer: Buffer };
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error & { type: string } };

/** Kafka's default message.max.bytes: the largest record batch a broker takes. */
const BROKER_LIMIT = 1_048_588;
const BATCH_HEADER = 61;

interface SentMessage {
  key: string | null;
  value: Buffer;
  partition?: number;
  headers?: Record<string, string>;
}

/** Bytes of the record batch KafkaJS would write for these messages to one partition. */
function actualBatchBytes(messages: SentMessage[]): number {
  let bytes = BATCH_HEADER;
  messages.forEach((m, i) => {
    bytes += encodeRecord({ offsetDelta: i, timestampDelta: 0, key: m.key, value: m.value, headers: m.headers }).buffer.length;
  });
  return bytes;
}

/** A Kafka whose producer refuses any partition's batch over `limit` bytes, and can be told to fail otherwise. */
function fakeKafka(limit = BROKER_LIMIT) {
  const written: SentMessage[] = [];
  const state = { sends: 0, refusals: 0, producers: 0, failNext: [] as Error[], failConnect: [] as Error[] };
  const kafka = {
    producer: () => {
      state.producers++;
      return {
        connect: async () => {
          const fail = state.failConnect.shift();
          if (fail !== undefined) throw fail;
        },
        disconnect: async () => {},
        sendBatch: async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: SentMessage[] }> }) => {
          state.sends++;
          const fail = state.failNext.shift();
          if (fail !== undefined) throw fail;
          for (const { messages } of topicMessages) {
            if (actualBatchBytes(messages) > limit) {
              state.refusals++;
              throw new KafkaJSProtocolError(createErrorFromCode(10));
            }
          }
          for (const { messages } of topicMessages) written.push(...messages);
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, written, state };
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
  it('is what KafkaJS writes for the record, headers included, or a few bytes more, never less', () => {
    const cases: Array<Pick<OutboxMessage, 'key' | 'value' | 'headers'>> = [
      { key: null, value: Buffer.alloc(0) },
      { key: 'bids', value: Buffer.from('x'.repeat(200)) },
      { key: null, value: Buffer.alloc(300_000), headers: { 'tabstream-error': 'é€😀'.repeat(500), 'tabstream-reason': 'bad-json' } },
      deadLetter(7),
    ];
    for (const m of cases) {
      const actual = encodeRecord({ offsetDelta: 4999, timestampDelta: 100_000, key: m.key, value: m.value, headers: m.headers }).buffer.length;
      expect(recordBytes(m)).toBeGreaterThanOrEqual(actual);
      expect(recordBytes(m)).toBeLessThanOrEqual(actual + 16);
    }
  });

  it('plans a send of dead letters by their real size, headers and all, under the limit', () => {
    const buffer = Array.from({ length: 6000 }, (_, i) => deadLetter(i));
    const n = headBatchLength(buffer, 5000, MAX_SEND_BYTES);
    expect(n).toBeGreaterThan(1000);
    expect(actualBatchBytes(buffer.slice(0, n))).toBeLessThanOrEqual(MAX_SEND_BYTES);
    // Value + key + 64 bytes (the old estimate) would have put 4,000+ of them, over 1 MiB, in one send.
    expect(actualBatchBytes(buffer.slice(0, 4500))).toBeGreaterThan(BROKER_LIMIT);
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

  it('rejects drain on other failures, says whether a retry may help, and keeps the records for it', async () => {
    const { kafka, written, state } = fakeKafka();
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    outbox.push(deadLetter(1));
    const down = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: ECONNREFUSED'), { retryCount: 8, retryTime: 100 });
    state.failNext.push(down);
    const err = await outbox.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboxSendError);
    expect((err as OutboxSendError).retriable).toBe(true);
    expect(outbox.buffered).toBe(1);
    state.failNext.push(new KafkaJSProtocolError(createErrorFromCode(29)));
    expect(((await outbox.drain().catch((e: unknown) => e)) as OutboxSendError).retriable).toBe(false);
    await outbox.drain();
    expect(written).toHaveLength(1);
  });

  it('sends with a fresh producer after a refusal, and reports a failure to connect it as retriable', async () => {
    const { kafka, written, state } = fakeKafka(100 * 1024);
    const outbox = new KafkaOutbox(kafka);
    await outbox.connect();
    for (let i = 0; i < 1000; i++) outbox.push(deadLetter(i));
    state.failConnect.push(new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    const err = await outbox.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboxSendError);
    expect((err as OutboxSendError).retriable).toBe(true);
    expect(state.producers).toBe(2);
    await outbox.drain();
    expect(written).toHaveLength(1000);
    expect(outbox.buffered).toBe(0);
  });

  it('classifies KafkaJS errors', () => {
    const tooLarge = new KafkaJSProtocolError(createErrorFromCode(10));
    expect(isTooLarge(tooLarge)).toBe(true);
    expect(isTooLarge(new KafkaJSProtocolError(createErrorFromCode(18)))).toBe(true);
    expect(isTooLarge(new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 0, retryTime: 0 }))).toBe(true);
    expect(isRetriable(tooLarge)).toBe(false);
    expect(isRetriable(new KafkaJSProtocolError(createErrorFromCode(6)))).toBe(true); // NOT_LEADER_FOR_PARTITION
    expect(isRetriable(new Error('anything else'))).toBe(true);
  });
});
