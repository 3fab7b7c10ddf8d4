// TabClient against the real test stack: what lands in Kafka is exactly what
// was recorded, keyed and partitioned by Tab, in the wire format.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventMix, partitionForKey, TabClient, TabSendError, WIRE_NAME_PATTERN } from '../../client';
import type { TabEvent } from '../../tabs/event';
import { testStack } from '../support/stack-env';
import { readTopic } from '../support/read-topic';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { KafkaAdmin } from '../../spouts/kafka-admin';

const PARTITIONS = 6;
const EVENTS = 4000;

interface ConsumedMessage {
  partition: number;
  key: string;
  events: TabEvent[];
}

const uniqueName = (what: string) => `${what}-${Date.now()}-${randomBytes(3).toString('hex')}`;

const brokers = testStack().brokers.split(',');
const connection = new KafkaConnection(brokers);
// Topics are created with the project's KafkaAdmin (returns once every partition has a leader).
let admin: KafkaAdmin;

beforeAll(() => {
  admin = new KafkaAdmin(connection, 'tab-client-test');
});

afterAll(async () => {
  await admin?.close();
});

async function createTopic(topic: string): Promise<void> {
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
}

/** Reads `topic` from the beginning to its end (with PartitionReader: no consumer group); expects `messages` messages. */
async function consume(topic: string, messages: number): Promise<ConsumedMessage[]> {
  const consumed = (await readTopic(connection, topic, 30_000)).map((m) => ({
    partition: m.partition,
    key: m.key?.toString('utf8') ?? '',
    events: JSON.parse(m.value!.toString('utf8')) as TabEvent[],
  }));
  if (consumed.length < messages) throw new Error(`consumed ${consumed.length} of ${messages} messages`);
  return consumed;
}

function wireShapeProblems(event: TabEvent): string[] {
  const problems: string[] = [];
  if (!WIRE_NAME_PATTERN.test(event.tab)) problems.push('tab');
  if (!WIRE_NAME_PATTERN.test(event.client)) problems.push('client');
  if (!['counter', 'gauge', 'percentile', 'unique', 'buffer'].includes(event.type)) problems.push('type');
  if (event.type === 'unique' ? typeof event.value !== 'string' : !Number.isFinite(event.value)) problems.push('value');
  if (!Number.isSafeInteger(event.time)) problems.push('time');
  if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > 128) problems.push('id');
  const extra = Object.keys(event).filter((k) => !['tab', 'type', 'value', 'time', 'client', 'id'].includes(k));
  if (extra.length > 0) problems.push(`extra fields ${extra.join(',')}`);
  return problems;
}

describe('TabClient on Kafka', () => {
  it('writes every recorded event exactly once, keyed and partitioned by Tab, in the wire format', async () => {
    const topic = uniqueName('tab-client');
    await createTopic(topic);
    const mix = new EventMix({ seed: 2024, clients: 3 });
    // Small batches so Tabs span several messages and the size trigger fires.
    const clients = new Map(
      mix.clients.map((clientId) => [clientId, new TabClient({ brokers, topic, clientId, maxBatchEvents: 40, flushIntervalMs: 50 })]),
    );
    await Promise.all([...clients.values()].map((c) => c.connect()));

    const explicitTime = Date.UTC(2024, 4, 1, 12);
    const recorded: Array<{ tab: string; type: string; value: number | string; client: string; time?: number }> = [];
    const started = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const e = mix.next();
      const time = i % 10 === 0 ? explicitTime + i : undefined;
      clients.get(e.client)!.tab(e.tab, e.type).record(e.value, time);
      recorded.push({ ...e, time });
      if (i % 500 === 0) await new Promise((r) => setImmediate(r)); // let timers and sends interleave
    }
    await Promise.all([...clients.values()].map((c) => c.flush()));
    const finished = Date.now();

    const stats = [...clients.values()].map((c) => c.stats());
    const batches = stats.reduce((sum, s) => sum + s.batchesSent, 0);
    for (const [i, s] of stats.entries()) {
      const byThisClient = recorded.filter((e) => e.client === mix.clients[i]).length;
      expect(s).toEqual({ recorded: byThisClient, sent: byThisClient, dropped: 0, buffered: 0, failed: 0, batchesSent: s.batchesSent, sendErrors: 0 });
    }
    expect(batches).toBeGreaterThanOrEqual(EVENTS / 40);

    const messages = await consume(topic, batches);
    expect(messages).toHaveLength(batches);

    // Keyed by its Tab, on the partition partitionForKey names, at most 40 events.
    const tabPartitions = new Map<string, Set<number>>();
    for (const m of messages) {
      expect(m.events.length).toBeGreaterThan(0);
      expect(m.events.length).toBeLessThanOrEqual(40);
      expect(m.events.every((e) => e.tab === m.key)).toBe(true);
      expect(m.partition).toBe(partitionForKey(m.key, PARTITIONS));
      const seen = tabPartitions.get(m.key) ?? new Set();
      tabPartitions.set(m.key, seen.add(m.partition));
    }
    expect([...tabPartitions.values()].every((partitions) => partitions.size === 1)).toBe(true);
    expect(new Set([...tabPartitions.values()].map((p) => [...p][0])).size).toBeGreaterThan(1);

    // Every event exactly once, valid, with the recorded content and time.
    const events = messages.flatMap((m) => m.events);
    expect(events).toHaveLength(EVENTS);
    expect(new Set(events.map((e) => e.id)).size).toBe(EVENTS);
    expect(events.flatMap((e) => wireShapeProblems(e).map((p) => `${e.id}: ${p}`))).toEqual([]);
    const content = (e: { tab: string; type: string; value: number | string; client: string }) =>
      JSON.stringify([e.client, e.tab, e.type, e.value]);
    for (const client of mix.clients) {
      // Per client, per Tab, Kafka holds the events in the order they were recorded.
      const consumedInOrder = new Map<string, string[]>();
      for (const m of [...messages].sort((a, b) => a.partition - b.partition)) {
        for (const e of m.events.filter((x) => x.client === client)) {
          consumedInOrder.set(e.tab, [...(consumedInOrder.get(e.tab) ?? []), content(e)]);
        }
      }
      const recordedByTab = new Map<string, string[]>();
      for (const e of recorded.filter((x) => x.client === client)) {
        recordedByTab.set(e.tab, [...(recordedByTab.get(e.tab) ?? []), content(e)]);
      }
      expect(consumedInOrder).toEqual(recordedByTab);
    }
    const explicit = events.filter((e) => e.time >= explicitTime && e.time < explicitTime + EVENTS);
    expect(explicit).toHaveLength(EVENTS / 10);
    expect(events.filter((e) => e.time < explicitTime || e.time >= explicitTime + EVENTS).every((e) => e.time >= started && e.time <= finished)).toBe(true);

    // The counter totals the mix promises are exactly what Kafka holds.
    const totals = new Map<string, { count: number; total: number }>();
    for (const e of events.filter((x) => x.type === 'counter')) {
      const t = totals.get(e.tab) ?? { count: 0, total: 0 };
      totals.set(e.tab, { count: t.count + 1, total: t.total + (e.value as number) });
    }
    expect(totals).toEqual(mix.expectedCounters());

    await Promise.all([...clients.values()].map((c) => c.close()));
    expect(() => clients.get('bidder-1')!.counter('bids').record()).toThrow(/closed/);
  });

  it("without a brokers option, sends to TABSTREAM_BROKERS (the README's snippet), not to the local stack's 9092", async () => {
    expect(process.env.TABSTREAM_BROKERS).toBe(brokers.join(','));
    const topic = uniqueName('tab-client-env');
    await createTopic(topic);
    const client = new TabClient({ topic, clientId: 'env-1' });
    await client.connect();
    client.counter('bids').record();
    await client.close();
    expect((await consume(topic, 1)).map((m) => m.events.map((e) => `${e.tab}@${e.client}`))).toEqual([['bids@env-1']]);
  });

  it('keeps events it could not send, rejects flush, and delivers them once the topic exists', async () => {
    const topic = uniqueName('tab-client-missing');
    const backgroundErrors: TabSendError[] = [];
    const client = new TabClient({
      brokers,
      topic,
      clientId: 'bidder-9',
      flushIntervalMs: 60_000, // only explicit flushes, so the counts below are exact
      // Few, fast retries, and a topic not there is waited for 1 s only, so the failure shows in seconds, not minutes.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200, deadlineMs: 1000 },
      onSendError: (e) => backgroundErrors.push(e),
    });
    await client.connect();
    try {
      for (let i = 0; i < 25; i++) client.counter('bids').record(i);
      const failure = await client.flush().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(TabSendError);
      expect((failure as TabSendError).events).toBe(25);
      expect(client.stats()).toMatchObject({ recorded: 25, sent: 0, buffered: 25, failed: 25, sendErrors: 1, batchesSent: 0 });

      await createTopic(topic);
      await client.flush();
      expect(client.stats()).toMatchObject({ recorded: 25, sent: 25, buffered: 0, failed: 0, sendErrors: 1, batchesSent: 1 });
      expect(backgroundErrors).toEqual([]);

      const [message, ...more] = await consume(topic, 1);
      expect(more).toEqual([]);
      expect(message.key).toBe('bids');
      expect(message.events.map((e) => e.value)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    } finally {
      await client.close();
    }
  });
});
