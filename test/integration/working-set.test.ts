// Workers whose working set holds a small share of the states (issue 11):
// states are evicted once a checkpoint wrote them and fetched back from Redis
// when an event needs them, mid-stream, through kill -9 and take-overs; the
// Tab records folded beside them (issue 12) agree with them. The
// events carry no ids (no dedup window can hide a replay) and the totals are
// the ones this test computed while producing them.
import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';
import { parsePrometheusText, samplesOf, sumOf, type PromText } from '../support/prometheus-text';

/** About 250 states of today's in-memory size per worker, for ~14,000 states in all. */
const WORKING_SET_MIB = '0.25';
const TABS = 2000;
const CLIENTS = 7;

describe('a working set far smaller than the states', () => {
  const config = testConfig({ sessionTimeoutMs: 1500, flushIntervalMs: 300 });
  const name = uniqueName('wset');
  const topic = `${name}-tabs`;
  const workers: WorkerProcess[] = [];
  const reader = new AggregateReader(config, name);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  const start = (): WorkerProcess => {
    const w = new WorkerProcess(config, `${name}-w${workers.length}`, ['--working-set-mib', WORKING_SET_MIB, '--metrics-port', '0']);
    workers.push(w);
    return w;
  };

  const scrape = async (w: WorkerProcess): Promise<PromText> => {
    const served = await waitFor('the metrics port', async () => w.logs.find((l) => l.msg === 'metrics served on /metrics'), (l) => l !== undefined, 30_000);
    return parsePrometheusText(await (await fetch(`http://127.0.0.1:${Number(served!.port)}/metrics`)).text());
  };

  it('evicts and fetches states back mid-stream, survives kill -9, and every counter ends exact', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 4 });
    start();
    start();
    // Keyed messages (each Tab folded where it lands), then mixed ones (most events forwarded to another task).
    const keyed = loadCounters({ brokers: config.brokers, topic, events: 150_000, tabs: TABS, clients: CLIENTS, perMessage: 10, pauseMs: 300 });
    let killed = 0;
    for (; killed < 2; killed++) {
      await sleep(2000 + Math.floor(Math.random() * 1500));
      const victim = workers[killed]!;
      expect(victim.exited, `worker died before it was killed:\n${victim.output}`).toBe(false);
      // Before it dies: it runs on the budget asked for.
      const m = await scrape(victim);
      expect(sumOf(m, 'tabstream_working_set_budget_bytes')).toBe(0.25 * 1024 * 1024);
      victim.kill('SIGKILL');
      await victim.waitExit();
      start();
    }
    const mixed = loadCounters({ brokers: config.brokers, topic, events: 60_000, tabs: TABS, clients: CLIENTS, perMessage: 20, mixed: true, tabPrefix: 'm' });
    const expected = new Map([...(await keyed), ...(await mixed)]);
    // The first Tabs again, once only the survivors are left: their states are in Redis and mostly not in
    // the survivors' memory (taken over, or evicted since), so they must be fetched back. Without this the
    // fetches depended on the survivors joining before the first load ended (CI read 0 fetched once).
    for (const [tab, more] of await loadCounters({ brokers: config.brokers, topic, events: 20_000, tabs: TABS, clients: CLIENTS, perMessage: 10 })) {
      const held = expected.get(tab) ?? { count: 0, total: 0 };
      expected.set(tab, { count: held.count + more.count, total: held.total + more.total });
    }
    const totals = await explainWith(workers, () =>
      waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 120_000),
    );
    expect(expectExact(totals, expected)).toEqual([]);
    // The aggregates read Tab records (client `*`, folded beside the client states): the client
    // states merged here agree with the same totals, and the stored client counts with theirs.
    const merged = await reader.clientMergedTotals();
    expect(expectExact(merged, expected)).toEqual([]);
    const aggregates = await reader.query.aggregate('.*');
    const miscounted = [...merged].filter(([tab, m]) => aggregates[tab]?.clients !== m.clients);
    expect(miscounted.map(([tab, m]) => `${tab}: ${aggregates[tab]?.clients} clients counted, ${m.clients} stored`)).toEqual([]);

    // The survivors held a small share of the states and cycled them through Redis.
    const live = workers.filter((w) => !w.exited);
    const metrics = await Promise.all(live.map(scrape));
    const evicted = metrics.reduce((sum, m) => sum + sumOf(m, 'tabstream_states_evicted_total'), 0);
    const fetched = metrics.reduce((sum, m) => sum + sumOf(m, 'tabstream_states_fetched_total'), 0);
    const held = metrics.reduce((sum, m) => sum + sumOf(m, 'tabstream_states'), 0);
    const stored = await reader.redis.eval(
      "local n = 0 for p = 0, 3 do n = n + redis.call('HLEN', ARGV[1] .. ':{' .. ARGV[2] .. ':' .. p .. '}:states') end return n",
      0,
      config.redisPrefix,
      name,
    );
    const perWorker = metrics.map((m) => `${sumOf(m, 'tabstream_states')} states [${samplesOf(m, 'tabstream_states').map((x) => `${x.labels.partition}:${x.value}`).join(' ')}], ${sumOf(m, 'tabstream_working_set_bytes')} B`).join('; ');
    console.log(`working set: ${held} states in memory of ${String(stored)} stored (${perWorker}); ${fetched} fetched, ${evicted} evicted by the survivors`);
    expect(Number(stored)).toBeGreaterThan(10_000);
    expect(evicted).toBeGreaterThan(0);
    expect(fetched).toBeGreaterThan(0);
    // Quiet now, every state written: each survivor is back within its budget (once its last
    // checkpoint's acknowledgement, which may trail the write the totals were read from, ran).
    for (const w of live) {
      const bytes = await waitFor(`${w.id} within its budget`, async () => sumOf(await scrape(w), 'tabstream_working_set_bytes'), (b) => b <= 0.25 * 1024 * 1024, 5_000);
      expect(bytes).toBeLessThanOrEqual(0.25 * 1024 * 1024);
    }
    // No ids were sent: nothing can have been dropped as a resend.
    expect(metrics.reduce((sum, m) => sum + sumOf(m, 'tabstream_events_resent_dropped_total'), 0)).toBe(0);
  }, 300_000);
});
