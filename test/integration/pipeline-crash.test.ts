import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { ZkClient } from '../../topology/coordination/zk-client';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { RedisStateStore } from '../../state/redis-state-store';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';
import { parsePrometheusText, sumOf, type PromText } from '../support/prometheus-text';

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

  it('re-reads nothing and changes no aggregate when ZooKeeper offsets are reset to replay the committed range', async () => {
    const before = await reader.counterTotals();
    expect(expectExact(before, expected)).toEqual([]);
    // Where Redis says each partition stands: every event is folded, so this no longer moves.
    const store = new RedisStateStore(reader.redis, { prefix: config.redisPrefix });
    const watermarks: number[] = [];
    for (let p = 0; p < 8; p++) watermarks.push((await store.readMeta(name, p)).watermark);
    expect(watermarks.every((w) => w > 0)).toBe(true);

    const zk = await ZkClient.forConfig(config);
    const offsets = new ZkOffsetStore(zk);
    try {
      const committed = await offsets.all(name);
      expect(Object.keys(committed[topic] ?? {})).toHaveLength(8);
      for (let p = 0; p < 8; p++) await offsets.reset(name, topic, p, 0);
      // A fresh worker takes the partitions up from the reset offsets.
      const last = workers[workers.length - 1]!;
      last.kill('SIGKILL');
      await last.waitExit();
      const replay = new WorkerProcess(config, `${name}-replay`, ['--metrics-port', '0']);
      workers.push(replay);
      const served = await explainWith([replay], () =>
        waitFor('the metrics port', async () => replay.logs.find((l) => l.msg === 'metrics served on /metrics'), (l) => l !== undefined, 30_000),
      );
      const scrape = async (): Promise<PromText> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${Number(served!.port)}/metrics`)).text());

      // It read the reset offsets and put back Redis's positions: exactly watermark + 1, nowhere else.
      await explainWith(workers, () =>
        waitFor(
          "ZooKeeper offsets back at Redis's watermark + 1",
          async () => (await offsets.all(name))[topic] ?? {},
          (byPartition) => watermarks.every((w, p) => byPartition[p] === w + 1),
          60_000,
        ),
      );
      // Events produced after the reset, folded exactly: the worker has gone through everything
      // from the reset offsets on, so any replay of the committed range would have happened by now.
      const after = await loadCounters({ brokers: config.brokers, topic, events: 20_000, tabs: 40, clients: 2, tabPrefix: 'after' });
      const all = new Map([...expected, ...after]);
      const totals = await explainWith(workers, () =>
        waitFor('exact counters with the events sent after the reset', () => reader.counterTotals(), (t) => expectExact(t, all).length === 0, 60_000),
      );
      expect(expectExact(totals, all)).toEqual([]);
      // What the worker read: the 200 records sent after the reset and not one record of the
      // committed range (which would be re-read and skipped as a replay, or folded twice).
      const m = await explainWith([replay], () =>
        waitFor('the records sent after the reset counted', scrape, (x) => sumOf(x, 'tabstream_records_total', { topology: name }) >= 200, 10_000),
      );
      const read = sumOf(m, 'tabstream_records_total', { topology: name });
      const skipped = sumOf(m, 'tabstream_records_replayed_skipped_total', { topology: name });
      console.log(`after the offset reset to 0: ${read} records folded, ${skipped} re-read and skipped as replays (committed range: ${watermarks.reduce((a, w) => a + w + 1, 0)} records)`);
      expect({ read, skipped }).toEqual({ read: 200, skipped: 0 });
    } finally {
      await zk.close();
    }
  }, 120_000);
});
