// Two workers on a real stack: when the second joins, the first hands half
// its partitions over, and the first scrape of its /metrics after that shows
// no series of them (no `tabstream_states` counted twice by sum()).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { TabClient } from '../../client';
import { WorkerProcess, explainWith, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { parsePrometheusText, samplesOf, sumOf, type PromText } from '../support/prometheus-text';

const PARTITIONS = 4;

describe('a worker that hands partitions over', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('wmhand');
  const topic = `${name}-tabs`;
  const ofTopology = { topology: name };
  const workers: WorkerProcess[] = [];

  const start = async (id: string): Promise<{ worker: WorkerProcess; scrape: () => Promise<PromText> }> => {
    const worker = new WorkerProcess(config, id, ['--metrics-port', '0'], { group: true });
    workers.push(worker);
    const served = await explainWith([worker], () =>
      waitFor('the metrics port in the log', async () => worker.logs.find((l) => l.msg === 'metrics served on /metrics'), (l) => l !== undefined, 30_000),
    );
    const scrape = async (): Promise<PromText> => {
      const res = await fetch(`http://127.0.0.1:${Number(served!.port)}/metrics`);
      expect(res.status).toBe(200);
      return parsePrometheusText(await res.text());
    };
    return { worker, scrape };
  };
  /** The partitions a scrape has any series of, for this topology. */
  const partitionsIn = (m: PromText): Set<string> =>
    new Set(m.samples.filter((s) => s.labels.topology === name && s.labels.partition !== undefined).map((s) => s.labels.partition!));

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.waitExit()));
  });

  it('drops every series of a handed-over partition from the old owner by the next scrape', async () => {
    const first = await start(`${name}-w1`);
    // Events on every partition (Tabs spread by key), so each has states and counters.
    const client = new TabClient({ brokers: config.brokers, topic, clientId: 'c1' });
    await client.connect();
    for (let i = 0; i < 64; i++) client.counter(`bids_${i}`).record(1);
    await client.close();
    const before = await explainWith(workers, () =>
      waitFor(
        'every partition with states on the first worker',
        first.scrape,
        (m) => samplesOf(m, 'tabstream_states', ofTopology).filter((s) => s.value > 0).length === PARTITIONS && sumOf(m, 'tabstream_events_folded_total', ofTopology) === 64,
        45_000,
      ),
    );
    expect(partitionsIn(before)).toEqual(new Set(['0', '1', '2', '3']));

    const second = await start(`${name}-w2`);
    await explainWith(workers, () =>
      waitFor('the second worker running partitions', async () => second.worker.logs.some((l) => l.msg === 'running' && (l.partitions?.length ?? 0) > 0), (ok) => ok, 45_000),
    );
    // The new owner claims under the new generation without waiting for the old one, which logs its
    // hand-over once its reader stopped and its last round was written: wait for that too.
    const handedOverLines = () => first.worker.logs.filter((l) => l.msg === 'handed over');
    await explainWith(workers, () => waitFor('the first worker handing half the partitions over', async () => handedOverLines().length, (n) => n >= PARTITIONS / 2, 45_000));
    const handedOver = handedOverLines().map((l) => String(l.partition));
    expect(handedOver.length).toBe(PARTITIONS / 2);

    // One scrape: none of the handed-over partitions, in any metric.
    const after = await first.scrape();
    const left = [...partitionsIn(after)];
    expect(left.filter((p) => handedOver.includes(p))).toEqual([]);
    expect(left.sort()).toEqual(['0', '1', '2', '3'].filter((p) => !handedOver.includes(p)));
    expect(sumOf(after, 'tabstream_owned_partitions', ofTopology)).toBe(PARTITIONS / 2);
    // The states of the partitions kept are still reported, once.
    expect(samplesOf(after, 'tabstream_states', ofTopology).map((s) => s.labels.partition).sort()).toEqual(left.sort());
  });
});
