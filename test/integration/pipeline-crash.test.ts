import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { ZkClient } from '../../topology/coordination/zk-client';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';

describe('a worker killed with -9 mid-stream', () => {
  const config = testConfig({ sessionTimeoutMs: 1500 });
  const name = uniqueName('crash');
  const topic = `${name}-tabs`;
  const workers: WorkerProcess[] = [];
  const reader = new AggregateReader(config, name);
  let expected = new Map<string, { count: number; total: number }>();

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  it('is restarted five times in one stream and every counter ends exact', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 8 });
    let sent = 0;
    const loading = loadCounters({
      brokers: config.brokers,
      topic,
      events: 600_000,
      tabs: 300,
      clients: 4,
      pauseMs: 700,
      onProgress: (n) => void (sent = n),
    });
    workers.push(new WorkerProcess(config, `${name}-w0`));
    for (let kill = 1; kill <= 5; kill++) {
      // A random moment: somewhere in the middle of reading, folding or checkpointing.
      await sleep(1500 + Math.floor(Math.random() * 2500));
      const victim = workers[workers.length - 1]!;
      expect(victim.exited, `worker died before it was killed:\n${victim.output}`).toBe(false);
      victim.kill('SIGKILL');
      await victim.waitExit();
      console.log(`kill -9 #${kill} after ${sent} events sent`);
      workers.push(new WorkerProcess(config, `${name}-w${kill}`));
    }
    expected = await loading;
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 120_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);
  }, 300_000);

  it('changes no aggregate when ZooKeeper offsets are reset to replay the committed range', async () => {
    const before = await reader.counterTotals();
    expect(expectExact(before, expected)).toEqual([]);
    const zk = await ZkClient.connect(config.zk, { root: config.zkRoot });
    const offsets = new ZkOffsetStore(zk);
    const committed = await offsets.all(name);
    expect(Object.keys(committed[topic] ?? {})).toHaveLength(8);
    for (let p = 0; p < 8; p++) await offsets.reset(name, topic, p, 0);
    await zk.close();
    // A fresh worker takes the partitions up from the reset offsets.
    const last = workers[workers.length - 1]!;
    last.kill('SIGKILL');
    await last.waitExit();
    workers.push(new WorkerProcess(config, `${name}-replay`));
    const zk2 = await ZkClient.connect(config.zk, { root: config.zkRoot });
    const offsets2 = new ZkOffsetStore(zk2);
    // Settled: the new worker has committed past the reset for every partition.
    await explainWith(workers, () => waitFor(
      'offsets committed again',
      async () => offsets2.all(name),
      (all) => Object.values(all[topic] ?? {}).every((o) => o > 0) && Object.keys(all[topic] ?? {}).length === 8,
      60_000,
    ));
    await zk2.close();
    await sleep(2000);
    expect(expectExact(await reader.counterTotals(), expected)).toEqual([]);
  }, 120_000);
});
