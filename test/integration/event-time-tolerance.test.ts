// The event-time tolerance, as deployed (maxEventFutureMs stored with the
// topology), reaches the workers' parse bolts: later events are dead letters
// (time-in-future) and move no window; events within it are folded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { Worker } from '../../topology/runtime/worker';
import { AggregateReader, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { deadLettersByReason, messagesIn } from '../support/dead-letters';
import { loaderProducer } from '../support/event-loader';

describe('maxEventFutureMs', () => {
  const config = testConfig({ flushIntervalMs: 200, maxEventFutureMs: 60_000 });
  const name = uniqueName('future');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  let worker: Worker;

  beforeAll(async () => {
    const spec = await deployTopology(config, 'taba', { name, topic, partitions: 2 });
    expect(spec.config.maxEventFutureMs).toBe(60_000);
    // A worker whose own config says otherwise: the deployed value is the one that counts.
    worker = new Worker({ config: { ...config, maxEventFutureMs: 3_600_000 }, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    reader.close();
  });

  it('dead-letters events later than now + the deployed tolerance, and folds the rest', async () => {
    const now = Date.now();
    const event = (time: number, value: number) => JSON.stringify({ tab: 'ticks', type: 'counter', value, time, client: 'c' });
    const producer = loaderProducer(config.brokers);
    await producer.send({
      messages: [
        { topic, key: Buffer.from('ticks'), value: Buffer.from(`[${event(now, 1)},${event(now + 30_000, 2)},${event(now + 5 * 60_000, 4)}]`) },
        { topic, key: Buffer.from('ticks'), value: Buffer.from(event(now + 10 * 365 * 86_400_000, 8)) },
      ],
    });
    await producer.close();
    await waitFor('two dead letters', () => messagesIn(config.brokers, `${topic}.dlq`), (n) => n >= 2, 30_000);
    expect(await deadLettersByReason(KafkaConnection.of(config), topic)).toEqual(new Map([['time-in-future', 2]]));
    const totals = await waitFor('the valid events folded', () => reader.counterTotals(), (t) => t.get('ticks')?.count === 2, 30_000);
    expect(totals.get('ticks')).toEqual({ count: 2, total: 3 });
  });
});
