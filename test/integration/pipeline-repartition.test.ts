import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { specDescriptionText } from '../../topology/deploy/spec-description';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters, loaderProducer, type Expected } from '../support/event-loader';
import { messagesOn } from '../support/topic-ends';

/** Unkeyed messages mixing Tabs, as a client batching many Tabs together would send. */
async function loadMixedUnkeyed(brokers: string[], topic: string, messages: number): Promise<Expected> {
  const producer = loaderProducer(brokers);
  const expected: Expected = new Map();
  const time = Date.now();
  const batch: Array<{ topic: string; value: Buffer }> = [];
  for (let m = 0; m < messages; m++) {
    const events = [];
    for (let i = 0; i < 20; i++) {
      const tab = `mixed${(m * 7 + i) % 40}`;
      const value = (i % 5) + 1;
      const e = expected.get(tab) ?? { count: 0, total: 0 };
      e.count++;
      e.total += value;
      expected.set(tab, e);
      events.push({ tab, type: 'counter', value, time, client: `client-${m % 3}` });
    }
    batch.push({ topic, value: Buffer.from(JSON.stringify(events)) });
  }
  await producer.send({ messages: batch });
  await producer.close();
  return expected;
}

describe('repartitioning', () => {
  const workers: WorkerProcess[] = [];
  const readers: AggregateReader[] = [];

  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    for (const r of readers) r.close();
  });

  it('Taba: unkeyed messages mixing Tabs still fold each Tab in exactly one task, exactly', async () => {
    const config = testConfig();
    const name = uniqueName('mixed');
    const topic = `${name}-tabs`;
    await deployTopology(config, 'taba', { name, topic, partitions: 4 });
    const reader = new AggregateReader(config, name);
    readers.push(reader);
    workers.push(new WorkerProcess(config, `${name}-w1`), new WorkerProcess(config, `${name}-w2`));
    const expected = await loadMixedUnkeyed(config.brokers, topic, 2000);
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 90_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);
    // Most events belonged to another partition's Tab: they crossed through the repartition topic.
    expect(await messagesOn(config.brokers, `${name}.fold.repartition`)).toBeGreaterThan(1000);
  }, 180_000);

  it('a fold grouped by client (not the message key) goes through the repartition topic and stays exact across kill -9', async () => {
    const config = testConfig({ sessionTimeoutMs: 2000 });
    const name = uniqueName('perclient');
    const topic = `${name}-tabs`;
    const spec = await deployTopology(config, 'examples/per-client-topology.ts', { name, topic, partitions: 4 });
    expect(specDescriptionText(spec)).toContain(`<-- parse [fields(client)] (via ${name}.fold.repartition)`);
    const reader = new AggregateReader(config, name);
    readers.push(reader);
    const local: WorkerProcess[] = [new WorkerProcess(config, `${name}-w1`), new WorkerProcess(config, `${name}-w2`)];
    workers.push(...local);
    const loading = loadCounters({ brokers: config.brokers, topic, events: 200_000, tabs: 50, clients: 7, pauseMs: 400 });
    for (let i = 0; i < 2; i++) {
      await sleep(2500);
      const victim = local.filter((w) => !w.exited)[0]!;
      victim.kill('SIGKILL');
      await victim.waitExit();
      const fresh = new WorkerProcess(config, `${name}-w${3 + i}`);
      local.push(fresh);
      workers.push(fresh);
    }
    const expected = await loading;
    const totals = await explainWith(local, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 120_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);
    expect(await messagesOn(config.brokers, `${name}.fold.repartition`)).toBeGreaterThan(100);
  }, 240_000);
});
