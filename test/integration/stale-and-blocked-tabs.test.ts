// Taba's GC and blocklist, as deployed (staleTabAfterMs and blockedTabs are
// stored with the topology): events of blocked Tabs are dead letters
// (tab-blocked); a windowed state with no event for the stale time is
// deleted from Redis at a checkpoint, also when it is only in Redis (a
// worker's take-over loads no states: the walk over Redis finds it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { Worker } from '../../topology/runtime/worker';
import { partitionForKey } from '../../client/partition-for-key';
import { partitionKeys, stateField } from '../../state/redis-keys';
import { AggregateReader, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { deadLettersByReason, messagesIn } from '../support/dead-letters';
import { loaderProducer } from '../support/event-loader';

const DAY = 24 * 60 * 60 * 1000;
const PARTITIONS = 2;

describe('stale Tabs collected, blocked Tabs refused', () => {
  // Deployed first keeping every state, so that old states reach Redis.
  const keepAll = testConfig({ flushIntervalMs: 200, staleTabAfterMs: 0, blockedTabs: ['spam.*', 'debug'] });
  const name = uniqueName('gc');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(keepAll, name);
  let worker: Worker;

  const stored = async (tab: string, client: string): Promise<boolean> => {
    const keys = partitionKeys(keepAll.redisPrefix, name, partitionForKey(tab, PARTITIONS));
    return (await reader.redis.hexists(keys.states, stateField(tab, client))) === 1;
  };

  beforeAll(async () => {
    const spec = await deployTopology(keepAll, 'taba', { name, topic, partitions: PARTITIONS });
    expect(spec.config).toMatchObject({ staleTabAfterMs: 0, blockedTabs: ['spam.*', 'debug'] });
    worker = new Worker({ config: keepAll, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    reader.close();
  });

  it('dead-letters the events of blocked Tabs and folds the rest', async () => {
    const now = Date.now();
    const event = (tab: string, time: number, client = 'c') => JSON.stringify({ tab, type: 'counter', value: 1, time, client });
    const producer = loaderProducer(keepAll.brokers);
    await producer.send({
      messages: [
        { topic, value: Buffer.from(`[${event('spam.bot', now)},${event('fresh', now)},${event('debug', now)},${event('spam', now)}]`) },
        { topic, key: Buffer.from('old'), value: Buffer.from(`[${event('old', now - 3 * DAY, 'c1')},${event('old', now - 3 * DAY, 'c2')}]`) },
      ],
    });
    await producer.close();
    await waitFor('two dead letters', () => messagesIn(keepAll.brokers, `${topic}.dlq`), (n) => n >= 2, 30_000);
    expect(await deadLettersByReason(KafkaConnection.of(keepAll), topic)).toEqual(new Map([['tab-blocked', 2]]));
    const totals = await waitFor('the other events folded', () => reader.counterTotals(), (t) => t.get('old')?.count === 2 && t.get('fresh')?.count === 1, 30_000);
    expect([...totals.keys()].sort()).toEqual(['fresh', 'old', 'spam']);
    expect(await stored('old', 'c1')).toBe(true);
  });

  it('deletes the states with no event for the stale time from Redis once deployed with it, states only Redis held included', async () => {
    // Deployed again with the default (2 days): the worker restarts the topology, takes its
    // partitions up without loading a state, and its walk over Redis finds the old ones.
    const spec = await deployTopology({ ...keepAll, staleTabAfterMs: 2 * DAY }, 'taba', { name, topic, partitions: PARTITIONS });
    expect(spec.config.staleTabAfterMs).toBe(2 * DAY);
    await waitFor('the stale states deleted', async () => (await stored('old', 'c1')) || (await stored('old', 'c2')), (left) => !left, 30_000);
    expect(await stored('fresh', 'c')).toBe(true);
    expect(await stored('spam', 'c')).toBe(true);
    // The Tab's record (client `*`) went stale with its last client and goes too.
    expect(await stored('old', '*')).toBe(false);
    expect(await stored('fresh', '*')).toBe(true);
    const collected = [...(worker.runnerOf(name)?.metrics.values() ?? [])].reduce((sum, m) => sum + (m.counters.get('states_collected') ?? 0), 0);
    expect(collected).toBe(3);
  });
});
