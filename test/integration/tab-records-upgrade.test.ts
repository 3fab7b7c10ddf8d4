// Data written before Tab records existed (issue 12): client states in Redis,
// no record (client `*`), no client counts, no `records_at`. A worker taking
// the partitions up rebuilds each Tab's record from its stored client states
// and writes them with its first checkpoint; then events (no ids) fold into
// both. The aggregates (read from the records) must equal what this test
// stored plus what it produced, and so must the client states merged.
import { afterAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../client/partition-for-key';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { RedisStateStore } from '../../state/redis-state-store';
import { partitionKeys, stateField } from '../../state/redis-keys';
import { deployTopology } from '../../topology/deploy/deploy';
import { AggregateReader, WorkerProcess, explainWith, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters, type Expected } from '../support/event-loader';
import { parsePrometheusText, sumOf } from '../support/prometheus-text';

const PARTITIONS = 2;
const TABS = 40;
const CLIENTS = 5;

describe('Tab records over data written before them', () => {
  const config = testConfig({ flushIntervalMs: 300 });
  const name = uniqueName('recup');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  let worker: WorkerProcess | undefined;

  afterAll(() => {
    worker?.kill('SIGKILL');
    reader.close();
  });

  it('rebuilds every record from the stored client states at take-up, then folds into both', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    const counter = defaultRegistry().get('counter')!;
    const gauge = defaultRegistry().get('gauge')!;
    const store = new RedisStateStore(reader.redis, { prefix: config.redisPrefix });
    const expected: Expected = new Map();
    const now = Date.now();
    // As an older version left them: counter Tabs u0..u39 with 1..5 clients each, a gauge Tab with 3, and a
    // record of a Tab with no client state left (the rebuild deletes it).
    const byPartition = new Map<number, Array<{ tab: string; client: string; bytes: Uint8Array }>>();
    const types = new Map<number, Array<{ tab: string; type: string }>>();
    const put = (tab: string, type: string, client: string, bytes: Uint8Array) => {
      const p = partitionForKey(tab, PARTITIONS);
      byPartition.set(p, [...(byPartition.get(p) ?? []), { tab, client, bytes }]);
      if (!(types.get(p) ?? []).some((t) => t.tab === tab)) types.set(p, [...(types.get(p) ?? []), { tab, type }]);
    };
    for (let t = 0; t < TABS; t++) {
      const tab = `u${t}`;
      const clients = 1 + (t % CLIENTS);
      for (let c = 0; c < clients; c++) {
        const state = counter.newState();
        const events = 1 + ((t + c) % 4);
        for (let i = 0; i < events; i++) counter.fold(state, { tab, type: 'counter', value: t + i, time: now - 60_000, client: `client-${c}` });
        put(tab, 'counter', `client-${c}`, counter.serialize(state));
        const e = expected.get(tab) ?? { count: 0, total: 0 };
        e.count += events;
        e.total += events * t + (events * (events - 1)) / 2;
        expected.set(tab, e);
      }
    }
    for (let c = 0; c < 3; c++) {
      const state = gauge.newState();
      gauge.fold(state, { tab: 'level', type: 'gauge', value: c, time: now, client: `g${c}` });
      put('level', 'gauge', `g${c}`, gauge.serialize(state));
    }
    const orphan = 'gone';
    put(orphan, 'counter', '*', counter.serialize(counter.newState()));
    for (const [p, states] of byPartition) {
      const { token } = await store.claim(name, p, 0);
      await store.write({
        topology: name,
        partition: p,
        token,
        checkpointId: `${token}:old`,
        expectedWatermark: -1,
        watermark: -1,
        flushedAt: now,
        eventsDelta: 0,
        states,
        deleted: [],
        types: types.get(p) ?? [],
        dedupAdded: new Map(),
        dedupExpireBefore: 0,
        sources: {},
        clientCounts: null,
      });
      // What an older checkpoint.lua leaves: no records_at, no client counts.
      const keys = partitionKeys(config.redisPrefix, name, p);
      await reader.redis.hdel(keys.meta, 'records_at');
      await reader.redis.del(keys.clients);
    }

    worker = new WorkerProcess(config, `${name}-w`, ['--metrics-port', '0']);
    const w = worker;
    await waitFor('both partitions taken up', async () => w.logs.filter((l) => l.msg === 'took up').length, (n) => n >= PARTITIONS, 30_000);
    // 8,000 events: one send of the loader (up to 20,000 events) over 2 partitions must stay under Kafka's 1 MiB request limit.
    const produced = await loadCounters({ brokers: config.brokers, topic, events: 8_000, tabs: TABS, clients: CLIENTS + 2, perMessage: 10, tabPrefix: 'u' });
    for (const [tab, e] of produced) {
      const sum = expected.get(tab) ?? { count: 0, total: 0 };
      expected.set(tab, { count: sum.count + e.count, total: sum.total + e.total });
    }
    const totals = await explainWith([w], () => waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 60_000));
    expect(expectExact(totals, expected)).toEqual([]);
    const merged = await reader.clientMergedTotals();
    expect(expectExact(merged, expected)).toEqual([]);
    // Client counts: rebuilt from the stored states, then counted on as new clients came.
    const aggregates = await reader.query.aggregate('.*');
    expect([...merged].filter(([tab, m]) => aggregates[tab]?.clients !== m.clients)).toEqual([]);
    expect(aggregates['level']).toMatchObject({ type: 'gauge', clients: 3 });
    // The records are stored, the orphan is gone, and every partition's records agree with its watermark.
    for (const tab of ['u0', 'u17']) expect(await reader.redis.hexists(partitionKeys(config.redisPrefix, name, partitionForKey(tab, PARTITIONS)).states, stateField(tab, '*'))).toBe(1);
    expect(await reader.redis.hexists(partitionKeys(config.redisPrefix, name, partitionForKey(orphan, PARTITIONS)).states, stateField(orphan, '*'))).toBe(0);
    for (let p = 0; p < PARTITIONS; p++) expect((await store.load(name, p, { states: false })).recordsCurrent).toBe(true);
    const served = w.logs.find((l) => l.msg === 'metrics served on /metrics');
    const metrics = parsePrometheusText(await (await fetch(`http://127.0.0.1:${Number(served!.port)}/metrics`)).text());
    expect(sumOf(metrics, 'tabstream_tab_records_rebuilt_total')).toBe(TABS + 1);
    expect(sumOf(metrics, 'tabstream_events_resent_dropped_total')).toBe(0);
  }, 120_000);
});
