import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { TabClient } from '../../client';
import { AggregateReader, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { loaderProducer } from '../support/event-loader';
import { readTopic } from '../support/read-topic';
import { KafkaConnection } from '../../spouts/kafka-connection';
import pino from 'pino';

describe('the Taba pipeline in one worker', () => {
  const config = testConfig({ flushIntervalMs: 200, sessionTimeoutMs: 4000 });
  const name = uniqueName('basic');
  const topic = `${name}-tabs`;
  let worker: Worker;
  let reader: AggregateReader;

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 4 });
    worker = new Worker({ config, id: `${name}-w1`, log: pino({ level: 'warn' }) });
    await worker.start();
    reader = new AggregateReader(config, name);
  });

  afterAll(async () => {
    await worker?.stop();
    reader?.close();
  });

  it('folds counters exactly and dead-letters bad input without stalling', async () => {
    const client = new TabClient({ brokers: config.brokers, topic, clientId: 'bidder-1' });
    await client.connect();
    const expected = new Map<string, { count: number; total: number }>();
    for (let i = 0; i < 20_000; i++) {
      const tab = `bids_${i % 13}`;
      const v = (i % 7) + 1;
      client.counter(tab).record(v);
      const e = expected.get(tab) ?? { count: 0, total: 0 };
      e.count++;
      e.total += v;
      expected.set(tab, e);
    }
    await client.close();

    // A foreign producer's message with one good and one bad event, and one that is not JSON.
    const producer = loaderProducer(config.brokers);
    const now = Date.now();
    await producer.send({
      messages: [
        { topic, key: Buffer.from('bids_0'), value: Buffer.from(JSON.stringify([{ tab: 'bids_0', type: 'counter', value: 5, time: now, client: 'x' }, { tab: 'bad tab', type: 'counter', value: 1, time: now, client: 'x' }])) },
        { topic, key: Buffer.from('bids_1'), value: Buffer.from('{not json') },
      ],
    });
    await producer.close();
    expected.get('bids_0')!.count += 1;
    expected.get('bids_0')!.total += 5;

    const totals = await waitFor(
      'exact counters',
      () => reader.counterTotals('bids_.*'),
      (t) => [...expected].every(([tab, e]) => t.get(tab)?.count === e.count),
      60_000,
    );
    for (const [tab, e] of expected) expect(totals.get(tab)).toEqual(e);

    const connection = KafkaConnection.of(config);
    const letters = await waitFor('two dead letters', () => readTopic(connection, `${topic}.dlq`), (r) => r.length >= 2, 30_000);
    expect(letters.map((m) => m.headers['tabstream-reason']).sort()).toEqual(['bad-json', 'tab-invalid']);
  });
});
