// A bolt that throws on a record, on a real stack: the record lands in
// `<topic>.dlq` as a `processing-error` whose headers say where it came from
// and which bolt threw (`tabstream-component`), and the partition folds on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { registryWithFragile } from '../support/fragile-handler';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { TabQuery } from '../../state/tab-query';
import { RedisStateStore } from '../../state/redis-state-store';
import { AggregateReader, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { loaderProducer } from '../support/event-loader';
import { messagesIn } from '../support/dead-letters';
import { readTopic } from '../support/read-topic';

describe('a bolt that throws on a record', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('perr');
  const topic = `${name}-tabs`;
  let worker: Worker;
  let reader: AggregateReader;
  let query: TabQuery;

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 1 });
    const registry = registryWithFragile();
    worker = new Worker({ config, id: `${name}-w`, registry, log: pino({ level: 'warn' }) });
    await worker.start();
    reader = new AggregateReader(config, name);
    // The test's registry: the default one does not know the fragile type.
    query = new TabQuery(new RedisStateStore(reader.redis, { prefix: config.redisPrefix }), registry, name);
  });

  afterAll(async () => {
    await worker?.stop();
    reader?.close();
  });

  it('is dead-lettered as a processing-error naming the fold bolt, and the events around it are folded', async () => {
    const producer = loaderProducer(config.brokers);
    const time = Date.now();
    const event = (value: number) => ({ topic, key: Buffer.from('t'), value: Buffer.from(JSON.stringify({ tab: 't', type: 'fragile', value, time, client: 'c' })) });
    await producer.send({ messages: [event(1), event(13), event(2)] });
    await producer.close();
    await waitFor('one dead letter', () => messagesIn(config.brokers, `${topic}.dlq`), (n) => n === 1, 30_000);
    const [letter] = await readTopic(KafkaConnection.of(config), `${topic}.dlq`);
    expect(letter!.headers).toMatchObject({
      'tabstream-reason': 'processing-error',
      'tabstream-error': 'unlucky value',
      'tabstream-source': `${topic}:0:1`,
      'tabstream-component': 'fold',
    });
    const folded = await waitFor('the other two events folded', () => query.aggregate('t'), (a) => (a.t?.all as { count?: number } | undefined)?.count === 2, 30_000);
    expect(folded.t!.all).toMatchObject({ count: 2, total: 3 });
  });
});
