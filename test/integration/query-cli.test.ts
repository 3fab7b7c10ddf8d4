import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { AggregateReader, testConfig, topologyCli, uniqueName, waitFor } from '../support/pipeline-harness';
import { recordQueryFixture } from '../support/query-fixture';

describe('topology query', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('query');
  const topic = `${name}-tabs`;
  let worker: Worker;
  const reader = new AggregateReader(config, name);

  const cli = topologyCli(config, name);

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 3 });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    await recordQueryFixture(config.brokers, topic);
    await waitFor('all states folded', async () => (await reader.query.listTabs('.*', { clients: true })).tabs, (t) => t.length === 5 && t.every((x) => x.clients === 3), 60_000);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    reader.close();
  });

  it('aggregate --json merges matching Tabs across matching clients, patterns anchored at both ends', async () => {
    const all = JSON.parse(await cli('query', 'aggregate', 'winning_.*', '--json'));
    expect(Object.keys(all)).toEqual(['winning_bid_price', 'winning_bids']);
    expect(all.winning_bids).toMatchObject({ name: 'winning_bids', type: 'counter', clients: 3, all: { count: 30, total: 165 } });
    expect(all.winning_bid_price.type).toBe('percentile');
    const bidders = JSON.parse(await cli('query', 'aggregate', 'winning_bids', '--client', 'bidder-.*', '--json'));
    expect(bidders.winning_bids).toMatchObject({ clients: 2, all: { count: 20, total: 110 } });
    // Anchored: 'winning' alone matches no Tab.
    expect(JSON.parse(await cli('query', 'aggregate', 'winning', '--json'))).toEqual({});
    const uniques = JSON.parse(await cli('query', 'aggregate', 'bidders_seen', '--json'));
    expect(JSON.stringify(uniques.bidders_seen)).toContain('12');
  });

  it('projection, tabs, clients and types', async () => {
    const projections = JSON.parse(await cli('query', 'projection', 'queue_depth', '--json'));
    expect(Object.keys(projections.queue_depth).sort()).toEqual(['bidder-1', 'bidder-2', 'other-1']);
    expect(JSON.stringify(projections.queue_depth['other-1'])).toContain('7');
    const { tabs, next } = JSON.parse(await cli('query', 'tabs', '--json'));
    expect(next).toBeNull();
    expect(tabs.map((t: { tab: string; type: string }) => `${t.tab}:${t.type}`)).toEqual([
      'bidders_seen:unique',
      'losing_bids:counter',
      'queue_depth:gauge',
      'winning_bid_price:percentile',
      'winning_bids:counter',
    ]);
    expect(JSON.parse(await cli('query', 'clients', 'losing_.*', '--json'))).toEqual({ clients: ['bidder-1', 'bidder-2', 'other-1'], next: null });
    expect(await cli('query', 'tabs', 'winning_.*', '--clients')).toBe('winning_bid_price\tpercentile\t3 clients\nwinning_bids\tcounter\t3 clients\n');
    expect(JSON.parse(await cli('query', 'types', '--json'))).toEqual([
      { type: 'counter', tabs: 2 },
      { type: 'gauge', tabs: 1 },
      { type: 'percentile', tabs: 1 },
      { type: 'unique', tabs: 1 },
      { type: 'buffer', tabs: 0 },
    ]);
    expect(await cli('query', 'aggregate', 'losing_bids')).toContain('losing_bids (counter, 3 clients)');
  });

  it('a bad pattern is a clear one-line error', async () => {
    const failed = await cli('query', 'aggregate', '(').then(
      () => null,
      (err: { stderr: string; code: number }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toMatch(/^topology: bad pattern '\(':/);
  });
});
