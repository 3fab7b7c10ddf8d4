// Tab records large enough to be written as base and delta
// (bolts/record-write.ts: a percentile Tab's record holds every client's
// bins), through kill -9 of a worker mid-stream, with a working set far
// smaller than the states: the survivor reads each record back as its base
// and delta. Events carry no ids. Each Tab's aggregate (read from its
// record: base and delta merged) must hold the count and sum this test
// computed itself, and equal the aggregate of its client states merged at
// read time, percentiles included.
import { afterAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { partitionKeys } from '../../state/redis-keys';
import { loaderProducer } from '../support/event-loader';
import { AggregateReader, WorkerProcess, explainWith, sleep, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { parsePrometheusText, sumOf } from '../support/prometheus-text';

const PARTITIONS = 4;
const TABS = 16;
const CLIENTS = 5;

describe('Tab records written as base and delta, through kill -9', () => {
  const config = testConfig({ sessionTimeoutMs: 1500, flushIntervalMs: 300 });
  const name = uniqueName('recdelta');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  const workers: WorkerProcess[] = [];
  const start = () => {
    const w = new WorkerProcess(config, `${name}-w${workers.length}`, ['--working-set-mib', '0.25', '--metrics-port', '0']);
    workers.push(w);
    return w;
  };

  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    reader.close();
  });

  it('percentile records equal their clients merged and the totals sent', async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    start();
    start();
    const expected = new Map<string, { count: number; sum: number }>();
    const producer = loaderProducer(config.brokers);
    const time = Date.now();
    let seq = 0;
    /** `rounds` sends of `perRound` messages of `perMessage` events (one Tab and client each, Tabs in turn), `pauseMs` apart. */
    const produce = async (rounds: number, perRound: number, perMessage: number, pauseMs: number) => {
      for (let round = 0; round < rounds; round++) {
        const messages: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
        for (let m = 0; m < perRound; m++, seq++) {
          const tab = `lat${seq % TABS}`;
          const client = `client-${Math.floor(seq / TABS) % CLIENTS}`;
          const events: string[] = [];
          const e = expected.get(tab) ?? { count: 0, sum: 0 };
          for (let i = 0; i < perMessage; i++) {
            // Integer values spread over four decades: many bins, exact sums.
            const value = 1 + ((seq * 7919 + i * 104_729) % 20_000);
            e.count++;
            e.sum += value;
            events.push(`{"tab":"${tab}","type":"percentile","value":${value},"time":${time + seq},"client":"${client}"}`);
          }
          expected.set(tab, e);
          messages.push({ topic, key: Buffer.from(tab), value: Buffer.from(`[${events.join(',')}]`) });
        }
        await producer.send({ messages });
        await sleep(pauseMs);
      }
    };
    try {
      // Large records first (each Tab's bins filled), then a trickle of a few values a Tab per checkpoint: deltas.
      await produce(20, 40, 100, 50);
      await produce(20, 4, 10, 150);
      const victim = workers[0]!;
      victim.kill('SIGKILL');
      await victim.waitExit();
      start();
      await produce(40, 4, 10, 150);
    } finally {
      await producer.close();
    }
    const exact = (aggregates: Record<string, Record<string, unknown>>) =>
      [...expected].filter(([tab, e]) => {
        const all = aggregates[tab]?.all as { count: number; total: number } | undefined;
        return all?.count !== e.count || all.total !== e.sum;
      });
    const aggregates = await explainWith(workers, () => waitFor('records with every event', () => reader.query.aggregate('lat.*'), (a) => exact(a).length === 0, 90_000));
    expect(exact(aggregates).map(([tab]) => tab)).toEqual([]);
    // The same Tabs from their client states merged at read time (a client pattern other than `.*` takes that path).
    const merged = await reader.query.aggregate('lat.*', '.+');
    expect(merged).toEqual(aggregates);
    // Large records were written as deltas beside their bases (what this test is about), and once idle written
    // whole again (compacted: only a record whose last write was a delta is), leaving no delta behind.
    const survivors = workers.filter((w) => !w.exited);
    const compacted = await waitFor(
      'idle records compacted',
      async () => {
        let n = 0;
        for (const w of survivors) {
          const served = w.logs.find((l) => l.msg === 'metrics served on /metrics');
          if (served !== undefined) n += sumOf(parsePrometheusText(await (await fetch(`http://127.0.0.1:${Number(served.port)}/metrics`)).text()), 'tabstream_tab_records_compacted_total');
        }
        return n;
      },
      (n) => n > 0,
      10_000,
    );
    expect(compacted).toBeGreaterThan(0);
    const deltasLeft = async (): Promise<number> => {
      let deltas = 0;
      for (let p = 0; p < PARTITIONS; p++) {
        const fields = await reader.redis.hkeys(partitionKeys(config.redisPrefix, name, p).states);
        deltas += fields.filter((f) => f.endsWith('\u0000*+')).length;
      }
      return deltas;
    };
    expect(await waitFor('no delta left', deltasLeft, (n) => n === 0, 10_000)).toBe(0);
    // And the records read whole agree with the totals still.
    expect(exact(await reader.query.aggregate('lat.*')).map(([tab]) => tab)).toEqual([]);
  }, 180_000);
});
