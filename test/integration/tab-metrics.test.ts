// Tab figures on serve's /metrics (--metrics-tabs): a worker folds the query
// fixture's events, two `topology serve` processes export the Tabs a pattern
// picks, and the samples are checked against the totals this test knows
// from what it recorded; the cap (--metrics-max-tabs) keeps the first Tabs
// by name and says that others were left out.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { AggregateReader, configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';
import { parsePrometheusText, samplesOf, type PromText } from '../support/prometheus-text';
import { FIXTURE_CLIENTS as CLIENTS, FIXTURE_TABS, recordQueryFixture } from '../support/query-fixture';

describe('Tab figures on /metrics (--metrics-tabs)', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('tabmetrics');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  let worker: Worker;
  let picked: ServeProcess;
  let capped: ServeProcess;
  let plain: ServeProcess;

  const scrape = async (serve: ServeProcess): Promise<PromText> => {
    const res = await fetch(`${serve.url}/metrics`);
    expect(res.status).toBe(200);
    return parsePrometheusText(await res.text());
  };
  const value = (text: PromText, metric: string, labels: Record<string, string>): number => {
    const found = samplesOf(text, metric, { topology: name, ...labels });
    expect(found, `${metric} ${JSON.stringify(labels)}`).toHaveLength(1);
    return found[0]!.value;
  };

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 2 });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    [picked, capped, plain] = await Promise.all([
      startServe(configEnv(config), name, ['--metrics-tabs', 'winning_.*|losing_bids|bidders_seen|queue_depth']),
      startServe(configEnv(config), name, ['--metrics-tabs', '.*', '--metrics-max-tabs', '2']),
      startServe(configEnv(config), name),
    ]);
    await recordQueryFixture(config.brokers, topic);
    await waitFor('all states folded', async () => (await reader.query.listTabs('.*', { clients: true })).tabs, (t) => t.length === FIXTURE_TABS && t.every((x) => x.clients === CLIENTS.length), 60_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopServe(picked), stopServe(capped), stopServe(plain)]);
    await worker?.stop();
    reader.close();
  });

  it('exports each picked Tab’s figures per window, as recorded', async () => {
    // The answer is shared up to a flush interval: the last checkpoint may land just after a first scrape.
    let text = await scrape(picked);
    await waitFor('every event on /metrics', async () => (text = await scrape(picked)), (t) => samplesOf(t, 'tabstream_tab_events', { tab: 'winning_bids', window: 'all' })[0]?.value === 30, 10_000);
    // Each client recorded 1..10 on winning_bids, 2 on losing_bids; 4 distinct bidders each; one queue depth each.
    for (const window of ['1m', '10m', '1h', '1d', 'all']) {
      expect(value(text, 'tabstream_tab_events', { tab: 'winning_bids', type: 'counter', window })).toBe(30);
      expect(value(text, 'tabstream_tab_sum', { tab: 'winning_bids', type: 'counter', window })).toBe(3 * 55);
      expect(value(text, 'tabstream_tab_average', { tab: 'winning_bids', type: 'counter', window })).toBe(5.5);
      expect(value(text, 'tabstream_tab_sum', { tab: 'losing_bids', type: 'counter', window })).toBe(6);
      expect(value(text, 'tabstream_tab_distinct', { tab: 'bidders_seen', type: 'unique', window })).toBe(12);
      expect(value(text, 'tabstream_tab_events', { tab: 'winning_bid_price', type: 'percentile', window })).toBe(30);
    }
    expect(value(text, 'tabstream_tab_clients', { tab: 'winning_bids', type: 'counter' })).toBe(3);
    // 0.1 … 1.0 from each client: the median within the sketch's 1 % of 0.5 or 0.6.
    const median = value(text, 'tabstream_tab_percentile', { tab: 'winning_bid_price', type: 'percentile', window: 'all', quantile: '0.5' });
    expect(median).toBeGreaterThan(0.49);
    expect(median).toBeLessThan(0.61);
    expect([3, 7]).toContain(value(text, 'tabstream_tab_value', { tab: 'queue_depth', type: 'gauge' }));
    expect(value(text, 'tabstream_tab_metrics_tabs', { left_out: '0' })).toBe(5);
    expect(value(text, 'tabstream_tab_metrics_up', {})).toBe(1);
  });

  it('keeps to --metrics-max-tabs (the first Tabs by name) and says others were left out; without the flag, no Tab family', async () => {
    const text = await scrape(capped);
    const tabs = new Set(samplesOf(text, 'tabstream_tab_clients').map((s) => s.labels.tab));
    expect([...tabs].sort()).toEqual(['bidders_seen', 'losing_bids']);
    expect(value(text, 'tabstream_tab_metrics_tabs', { left_out: '1' })).toBe(2);
    const none = await scrape(plain);
    expect([...none.types.keys()].filter((family) => family.startsWith('tabstream_tab_'))).toEqual([]);
  });

  it('the Grafana dashboard in deploy/ graphs only metrics serve exports, and has a panel for each Tab family', async () => {
    const dashboard = readFileSync(new URL('../../deploy/grafana/tabstream-dashboard.json', import.meta.url), 'utf8');
    const used = new Set(dashboard.match(/tabstream_[a-z_]+/g) ?? []);
    const text = await scrape(picked);
    const exported = new Set(text.types.keys());
    expect([...used].filter((metric) => !exported.has(metric))).toEqual([]);
    for (const family of ['tabstream_tab_events', 'tabstream_tab_percentile', 'tabstream_tab_distinct', 'tabstream_tab_value', 'tabstream_topology_lag']) expect(used).toContain(family);
  });
});
