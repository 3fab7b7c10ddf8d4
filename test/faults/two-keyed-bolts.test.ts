// A chain of two keyed bolts (parse -> relay by client -> fold by Tab) needs
// two repartition topics, and one input record may reach a task by both. A
// worker is killed with -9 mid-stream, twice; the events carry no ids, so the
// dedup window cannot hide a replay or a lost envelope: counts must end exact.
import { afterAll, describe, expect, it } from 'vitest';
import { messagesOn } from '../support/topic-ends';
import { deployTopology } from '../../topology/deploy/deploy';
import { specDescriptionText } from '../../topology/deploy/spec-description';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';

describe('two keyed bolts in a chain (two repartition topics)', () => {
  const workers: WorkerProcess[] = [];
  const config = testConfig({ sessionTimeoutMs: 2000 });
  const name = uniqueName('twokeyed');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);

  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  it('folds every event exactly once across workers killed with -9, events without ids', async () => {
    const spec = await deployTopology(config, 'test/faults/two-keyed-topology.ts', { name, topic, partitions: 4 });
    expect(specDescriptionText(spec)).toContain(`via ${name}.relay.repartition`);
    expect(specDescriptionText(spec)).toContain(`via ${name}.fold.repartition`);
    workers.push(new WorkerProcess(config, `${name}-w1`), new WorkerProcess(config, `${name}-w2`));
    const loading = loadCounters({ brokers: config.brokers, topic, events: 300_000, perMessage: 50, tabs: 60, clients: 7, mixed: true, pauseMs: 800 });
    // Mid-stream (the load takes about 12 s), each at a random moment of reading, folding or checkpointing.
    for (let kill = 0; kill < 2; kill++) {
      await sleep(2500 + Math.floor(Math.random() * 2000));
      const victim = workers.filter((w) => !w.exited)[0]!;
      victim.kill('SIGKILL');
      await victim.waitExit();
      workers.push(new WorkerProcess(config, `${name}-w${3 + kill}`));
    }
    const expected = await loading;
    const loadedAt = Date.now();
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 120_000),
    ).catch(async (err: Error) => {
      // Say how far off, not only that it timed out.
      const problems = expectExact(await reader.counterTotals(), expected);
      throw new Error(`${problems.length} Tabs off, e.g. ${problems.slice(0, 5).join('; ')}\n${err.message}`);
    });
    expect(expectExact(totals, expected)).toEqual([]);
    console.log(`two keyed bolts, 2 kill -9: counts exact ${Date.now() - loadedAt} ms after the last event was sent`);
    // Both hops carried envelopes.
    expect(await messagesOn(config.brokers, `${name}.relay.repartition`)).toBeGreaterThan(100);
    expect(await messagesOn(config.brokers, `${name}.fold.repartition`)).toBeGreaterThan(100);
  }, 240_000);
});
