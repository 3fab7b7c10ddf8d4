import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { AggregateReader, WorkerProcess, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';

describe('1 M events over 8 partitions', () => {
  const config = testConfig();
  const name = uniqueName('million');
  const topic = `${name}-tabs`;
  const workers: WorkerProcess[] = [];
  const reader = new AggregateReader(config, name);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  it('folds every counter exactly, end to end', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 8 });
    const expected = await loadCounters({ brokers: config.brokers, topic, events: 1_000_000, tabs: 500, clients: 5 });
    const started = Date.now();
    workers.push(new WorkerProcess(config, `${name}-w1`));
    const totals = await waitFor(
      'exact counters',
      () => reader.counterTotals(),
      (t) => expectExact(t, expected).length === 0,
      240_000,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`1M events end to end (worker start to exact aggregates, stack co-located): ${seconds.toFixed(1)} s, ${Math.round(1_000_000 / seconds)} events/s`);
    expect(expectExact(totals, expected)).toEqual([]);
    expect([...totals.values()].reduce((s, t) => s + t.count, 0)).toBe(1_000_000);

    // Delay from an event's arrival in Kafka to its being queryable, once caught up.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const probe = await loadCounters({ brokers: config.brokers, topic, events: 1, tabs: 1, clients: 1, tabPrefix: `probe${i}-` });
      const arrived = Date.now();
      await waitFor('probe', () => reader.counterTotals(`probe${i}-.*`), (t) => expectExact(t, probe).length === 0, 20_000);
      delays.push(Date.now() - arrived);
      void t0;
    }
    console.log(`arrival to queryable: ${delays.map((d) => `${d} ms`).join(', ')} (flush interval ${config.flushIntervalMs} ms)`);
    expect(Math.max(...delays)).toBeLessThan(10_000);
  }, 300_000);
});
