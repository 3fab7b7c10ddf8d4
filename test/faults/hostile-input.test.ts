// 100k hostile messages at full speed among valid ones (issue 9, "Must
// show"): random bytes, 1 MB JSON, nesting 12k deep, invalid UTF-8, 1e400,
// names with spaces, far-future times, and __proto__ as a (valid) Tab. Two
// worker processes. Every valid event (no ids: nothing hides a replay) is
// counted exactly, every bad one is dead-lettered with its reason, no
// partition stalls, and both workers live. Runs on the shared test stack:
// it harms nothing but its own topology.
import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { RedisStateStore } from '../../state/redis-state-store';
import { AggregateReader, WorkerProcess, explainWith, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loaderProducer } from '../support/event-loader';
import { deadLettersByReason, messagesIn, partitionsBehind } from '../support/dead-letters';
import { hostileStream, type HostileMessage } from '../support/hostile-messages';

const PARTITIONS = 6;
const MESSAGES = 100_000;
/** Bytes per produce request: under the broker's 1 MiB per partition batch, whatever the spread. */
const SEND_BYTES = 900 * 1024;

/** Sends in order, as fast as the broker acknowledges: requests of up to SEND_BYTES, a large message alone. */
async function produceAll(brokers: string[], topic: string, messages: HostileMessage[]): Promise<void> {
  const producer = loaderProducer(brokers, 'hostile-test');
  try {
    let chunk: HostileMessage[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await producer.send({
        messages: chunk.map((m) => ({ topic, ...(m.key !== null && { key: Buffer.from(m.key) }), value: m.value as Buffer })),
      });
      chunk = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 32;
      if (bytes + size > SEND_BYTES) await flush();
      chunk.push(m);
      bytes += size;
    }
    await flush();
  } finally {
    await producer.close();
  }
}

describe('a flood of hostile input', () => {
  const config = testConfig({ flushIntervalMs: 500, sessionTimeoutMs: 6000 });
  const name = uniqueName('hostile');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  const store = new RedisStateStore(reader.redis, { prefix: config.redisPrefix });
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.waitExit().catch(() => w.kill('SIGKILL'))));
    reader.close();
  });

  it('counts every valid event exactly, dead-letters every bad one with its reason, and stalls nothing', async () => {
    const started = Date.now();
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    workers.push(new WorkerProcess(config, `${name}-w1`), new WorkerProcess(config, `${name}-w2`));
    // Both running their share before the flood, so it meets two workers.
    await explainWith(workers, () =>
      waitFor(
        'both workers running partitions',
        async () => workers.map((w) => w.logs.filter((l) => l.msg === 'running').at(-1)?.partitions?.length ?? 0),
        (n) => n.every((k) => k > 0) && n.reduce((a, b) => a + b, 0) === PARTITIONS,
        30_000,
      ),
    );

    const stream = hostileStream({ messages: MESSAGES, time: Date.now() });
    const producing = Date.now();
    await produceAll(config.brokers, topic, stream.messages);
    const produced = Date.now();
    expect(await messagesIn(config.brokers, topic)).toBe(stream.messages.length);

    const totals = await explainWith(workers, () =>
      waitFor('every valid event counted', () => reader.counterTotals(), (t) => expectExact(t, stream.expected).length === 0, 75_000),
    );
    expect(expectExact(totals, stream.expected)).toEqual([]);
    expect(totals.get('__proto__')?.count).toBe(stream.expected.get('__proto__')!.count);
    const counted = Date.now();
    await explainWith(workers, () => waitFor('every partition folded to its end', () => partitionsBehind(config.brokers, store, name, topic), (b) => b.length === 0, 20_000));

    const expectedDead = [...stream.deadLetters.values()].reduce((a, b) => a + b, 0);
    await waitFor('every dead letter written', () => messagesIn(config.brokers, `${topic}.dlq`), (n) => n >= expectedDead, 20_000);
    // Each bad input once (a replay, should a rebalance happen, may write a dead letter again: at-least-once).
    const repeats = { n: 0 };
    const reasons = await deadLettersByReason(KafkaConnection.of(config), topic, { distinct: true, repeats });
    expect(Object.fromEntries([...reasons].sort())).toEqual(Object.fromEntries([...stream.deadLetters].sort()));
    for (const w of workers) expect(w.exited, `${w.id} died:\n${w.output.slice(-3000)}`).toBe(false);

    console.log(
      `hostile flood: ${stream.messages.length} messages (${stream.validEvents} valid events, ${expectedDead} dead letters: ` +
        `${[...stream.deadLetters].map(([r, n]) => `${r} ${n}`).join(', ')}); produced in ${produced - producing} ms, ` +
        `all counted ${counted - producing} ms after the first send; ${repeats.n} dead letters written twice; test ${Date.now() - started} ms`,
    );
  }, 180_000);
});
