import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, startService, stopService, stopStack } from '../../deploy/stack';
import { stackClasspath } from '../../deploy/stack/classpath';
import { deployTopology } from '../../topology/deploy/deploy';
import { resolveConfig, type TabstreamConfig } from '../../topology/config';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';
import { readTopic } from '../support/read-topic';
import { KafkaConnection } from '../../spouts/kafka-connection';

describe('Redis restarted mid-stream (a stack of its own)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabstream-redis-fault-'));
  let config: TabstreamConfig;
  const workers: WorkerProcess[] = [];
  let reader: AggregateReader;

  beforeAll(async () => {
    const stack = await startStack({ dir, zkPort: 24181, kafkaPort: 24092, redisPort: 24379 });
    config = { ...resolveConfig({ zk: stack.zk, brokers: stack.brokers, redis: stack.redis }), sessionTimeoutMs: 2000 };
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    reader?.close();
    await stopStack(dir);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('waits for Redis, retries its checkpoint, and ends exact', async () => {
    const name = uniqueName('redisfault');
    const topic = `${name}-tabs`;
    await deployTopology(config, 'taba', { name, topic, partitions: 4 });
    reader = new AggregateReader(config, name);
    workers.push(new WorkerProcess(config, `${name}-w1`));
    const loading = loadCounters({ brokers: config.brokers, topic, events: 300_000, tabs: 100, clients: 3, pauseMs: 500 });
    // Mid-stream: the worker is folding and has checkpointed at least once.
    await waitFor('first checkpoints', () => reader.counterTotals(), (t) => t.size > 0, 60_000);
    // The hardest stop: acknowledged checkpoints must survive it (appendfsync always).
    await stopService(dir, 'redis', { signal: 'SIGKILL' });
    await sleep(3000);
    await startService(dir, 'redis');
    const expected = await loading;
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 120_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);
    expect(workers[0]!.exited).toBe(false);
    // One line when checkpoints stall, one when they resume: not a line per retry.
    const said = workers[0]!.logs.map((l) => l.msg);
    expect(said.filter((m) => m === 'checkpoints stalled')).toHaveLength(1);
    expect(said.filter((m) => m === 'checkpoints resumed')).toHaveLength(1);
  }, 300_000);
});

describe('a foreign producer (Kafka’s own console producer)', () => {
  const config = testConfig();
  const name = uniqueName('foreign');
  const topic = `${name}-tabs`;
  const workers: WorkerProcess[] = [];
  const reader = new AggregateReader(config, name);

  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  it('is counted exactly; malformed messages land in the DLQ with reasons and the partition moves on', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 2 });
    workers.push(new WorkerProcess(config, `${name}-w1`));
    const now = Date.now();
    const ev = (tab: string, value: unknown, extra = '') => `{"tab":"${tab}","type":"counter","value":${JSON.stringify(value)},"time":${now},"client":"kafka-console"${extra}}`;
    // key|value lines, as an operator would pipe them in.
    const lines = [
      `orders|${ev('orders', 3)}`,
      `orders|[${ev('orders', 4)},${ev('orders', 5)}]`,
      `orders|{"tab":"orders","type":"counter","value":1`, // truncated JSON
      `orders|[${ev('orders', 'NaN')},${ev('orders', 10)}]`, // one bad value beside a good event
      `refunds|${ev('refunds', 2)}`,
      `refunds|${ev('refunds', 1).replace('"counter"', '"no-such-type"')}`,
      `refunds|${ev('refunds', 7)}`,
      `orders|${ev('orders', 6)}`,
    ];
    const classpath = await stackClasspath(() => {});
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        'java',
        ['-cp', classpath.join(':'), 'kafka.tools.ConsoleProducer', '--bootstrap-server', config.brokers[0]!, '--topic', topic,
          '--property', 'parse.key=true', '--property', 'key.separator=|'],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let err = '';
      p.stderr.on('data', (c: Buffer) => void (err += c.toString()));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`console producer exited ${code}: ${err}`))));
      p.stdin.end(`${lines.join('\n')}\n`);
    });

    const expected = new Map([
      ['orders', { count: 5, total: 3 + 4 + 5 + 10 + 6 }],
      ['refunds', { count: 2, total: 9 }],
    ]);
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 60_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);

    const connection = KafkaConnection.of(config);
    await waitFor('three dead letters', () => readTopic(connection, `${topic}.dlq`), (r) => r.length >= 3, 30_000);
    await sleep(500); // anything more would be a dead letter written twice
    const letters = (await readTopic(connection, `${topic}.dlq`)).map((m) => ({ reason: m.headers['tabstream-reason'], source: m.headers['tabstream-source'] }));
    expect(letters.map((l) => l.reason).sort()).toEqual(['bad-json', 'type-unknown', 'value-invalid']);
    for (const l of letters) expect(l.source).toMatch(new RegExp(`^${topic}:\\d+:\\d+$`));
  }, 120_000);
});
