import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { AggregateReader, configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { startServe, stopServe } from '../support/serve-process';
import { parsePrometheusText, samplesOf, sumOf } from '../support/prometheus-text';
import { TabClient } from '../../client/tab-client';
import buildTaba from '../../topology/builtin/taba';
import { renderDescription } from '../../topology/dsl';
import { FIXTURE_CLIENTS as CLIENTS, FIXTURE_EVENTS_PER_CLIENT, FIXTURE_TABS, recordQueryFixture } from '../support/query-fixture';

const PARTITIONS = 3;

describe('topology serve: HTTP API, dashboard and /metrics', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('http');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  let worker: Worker;
  let serve: Awaited<ReturnType<typeof startServe>>;

  const get = async (path: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> => {
    const res = await fetch(`${serve.url}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  const getJson = async (path: string): Promise<unknown> => {
    const res = await get(path);
    expect(res.status, `${path}: ${res.body}`).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    return JSON.parse(res.body);
  };

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    serve = await startServe(configEnv(config), name);
    await recordQueryFixture(config.brokers, topic);
    await waitFor('all states folded', async () => (await reader.query.listTabs('.*', { clients: true })).tabs, (t) => t.length === FIXTURE_TABS && t.every((x) => x.clients === CLIENTS.length), 60_000);
  }, 120_000);

  afterAll(async () => {
    await stopServe(serve);
    await worker?.stop();
    reader.close();
  });

  it('/api/aggregate answers what TabQuery (and so `query aggregate --json`) does', async () => {
    const api = await getJson(`/api/aggregate?topology=${name}&tab=winning_.*&client=bidder-.*`);
    expect(api).toEqual(await reader.query.aggregate('winning_.*', 'bidder-.*'));
    expect(api).toMatchObject({ winning_bids: { type: 'counter', clients: 2, all: { count: 20, total: 110 } } });
    // The server's --topology is the default; no parameters mean every Tab and client.
    expect(await getJson('/api/aggregate')).toEqual(await reader.query.aggregate('.*'));
    // Anchored at both ends, as in the CLI.
    expect(await getJson('/api/aggregate?tab=winning')).toEqual({});
  });

  it('projection, tabs, clients, types and super answer as TabQuery does', async () => {
    expect(await getJson('/api/projection?tab=queue_depth')).toEqual(await reader.query.projections('queue_depth'));
    expect(await getJson('/api/tabs?tab=.*_bids')).toEqual({
      tabs: [
        { tab: 'losing_bids', type: 'counter' },
        { tab: 'winning_bids', type: 'counter' },
      ],
      next: null,
    });
    expect(await getJson('/api/tabs?tab=.*_bids&clients=1&limit=1')).toEqual({ tabs: [{ tab: 'losing_bids', type: 'counter', clients: 3 }], next: 'losing_bids' });
    expect(await getJson('/api/tabs?tab=.*_bids&clients=1&limit=1&cursor=losing_bids')).toEqual({ tabs: [{ tab: 'winning_bids', type: 'counter', clients: 3 }], next: null });
    expect(await getJson('/api/clients?tab=losing_.*')).toEqual({ clients: CLIENTS, next: null });
    expect(await getJson('/api/types')).toEqual([
      { type: 'counter', tabs: 2 },
      { type: 'gauge', tabs: 1 },
      { type: 'percentile', tabs: 1 },
      { type: 'unique', tabs: 1 },
      { type: 'buffer', tabs: 0 },
    ]);
    const all = await getJson('/api/super?name=bids&tab=.*_bids');
    expect(all).toEqual(await reader.query.superAggregate('bids', '.*_bids'));
    expect(all).toMatchObject([{ name: 'bids', type: 'counter', tabs: 2, all: { count: 33, total: 171 } }]);
  });

  it('/api/status is the topology’s status; /api/topologies lists it', async () => {
    const status = (await getJson('/api/status')) as { spec: { name: string }; partitions: Array<{ partition: number; worker: string }>; workers: Array<{ id: string }> };
    expect(status.spec.name).toBe(name);
    expect(status.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(status.partitions.every((p) => p.worker === worker.id)).toBe(true);
    expect(status.workers.map((w) => w.id)).toContain(worker.id);
    expect((await getJson('/api/topologies')) as Array<{ name: string }>).toEqual([expect.objectContaining({ name })]);
  });

  it('/api/topology is the deployed DAG as data, to draw, and as the text deploy printed', async () => {
    const answer = (await getJson(`/api/topology?topology=${name}`)) as Record<string, unknown>;
    const expected = buildTaba({ name, topic }).describe(PARTITIONS);
    expect(answer).toEqual({ name, version: 1, status: 'active', description: expected, text: renderDescription(expected) });
    const unknown = await get('/api/topology?topology=no-such-topology');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toMatch(/no topology named 'no-such-topology'/);
  });

  it('errors are JSON with a status: 400 bad pattern or name, 404 unknown path or topology, 405 writes; the server lives on', async () => {
    const bad = await get('/api/aggregate?tab=(');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/^tab: bad pattern '\(':/);
    expect((await get('/api/projection?tab=.*&client=[')).status).toBe(400);
    // Patterns run on RE2: what it cannot run in linear time is refused with the reason.
    const backreference = await get(`/api/tabs?tab=${encodeURIComponent('(a)\\1')}`);
    expect(backreference.status).toBe(400);
    expect(JSON.parse(backreference.body).error).toMatch(/^tab: bad pattern '\(a\)\\1': backreferences .* are not supported/);
    expect((await get('/api/tabs?limit=0')).status).toBe(400);
    expect((await get('/api/clients?limit=10001')).status).toBe(400);
    expect((await get('/api/tabs?topology=../x')).status).toBe(400);
    const missing = await get('/api/nope');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'no such endpoint: /api/nope' });
    const unknown = await get('/api/status?topology=no-such-topology');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toMatch(/no topology named 'no-such-topology'/);
    expect((await get('/api/tabs', { method: 'POST' })).status).toBe(405);
    expect(serve.child.exitCode).toBeNull();
    expect(await getJson('/api/clients')).toEqual({ clients: CLIENTS, next: null });
  });

  it('serves the dashboard: one self-contained page that polls the API', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain(`<meta name="tabstream-topology" content="${name}">`);
    expect(page.body).toContain('/api/aggregate');
    expect(page.body).toContain('/api/status');
    // Nothing fetched from elsewhere: no external scripts, styles or fonts.
    expect(page.body).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(page.body).not.toMatch(/@import|url\(/);
  });

  it('/metrics is Prometheus text with lag, events folded and last flush for every partition', async () => {
    const folded = CLIENTS.length * FIXTURE_EVENTS_PER_CLIENT;
    const metrics = await waitFor(
      'every event folded and no lag in /metrics',
      async () => {
        const res = await get('/metrics');
        expect(res.status).toBe(200);
        expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
        return parsePrometheusText(res.body);
      },
      (m) => sumOf(m, 'tabstream_partition_events_folded', { topology: name }) === folded && sumOf(m, 'tabstream_topology_lag', { topology: name }) === 0,
      30_000,
    );
    expect(metrics.types.get('tabstream_partition_lag')).toBe('gauge');
    const partitionsOf = (metric: string) => samplesOf(metrics, metric, { topology: name }).map((s) => s.labels.partition).sort();
    expect(partitionsOf('tabstream_partition_lag')).toEqual(['0', '1', '2']);
    expect(partitionsOf('tabstream_partition_events_folded')).toEqual(['0', '1', '2']);
    expect(samplesOf(metrics, 'tabstream_partition_lag', { topology: name }).every((s) => s.value === 0)).toBe(true);
    // A partition that never flushed (no Tab of this test hashes to it) has no flush age.
    const flushed = samplesOf(metrics, 'tabstream_partition_events_folded', { topology: name }).filter((s) => s.value > 0);
    expect(partitionsOf('tabstream_partition_last_flush_age_seconds')).toEqual(flushed.map((s) => s.labels.partition).sort());
    expect(samplesOf(metrics, 'tabstream_partition_last_flush_age_seconds', { topology: name }).every((s) => s.value >= 0 && s.value < 60)).toBe(true);
    expect(sumOf(metrics, 'tabstream_topology_status_up', { topology: name })).toBe(1);
    expect(metrics.types.get('tabstream_http_requests_total')).toBe('counter');
    expect(sumOf(metrics, 'tabstream_http_requests_total', { route: '/api/aggregate', status: '400' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(metrics, 'tabstream_http_requests_total', { route: 'other', status: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('shares one read of Redis among identical state queries, and answers anew once a checkpoint lands', async () => {
    const cacheCount = async (result: string): Promise<number> => sumOf(parsePrometheusText((await get('/metrics')).body), 'tabstream_query_cache_total', { result });
    const path = `/api/aggregate?topology=${name}&tab=winning_bids`;
    const [hits, misses] = [await cacheCount('hit'), await cacheCount('miss')];
    // A dashboard open in fifty browsers, refreshing at once.
    const answers = await Promise.all(Array.from({ length: 50 }, () => getJson(path)));
    for (const a of answers) expect(a).toEqual(answers[0]);
    const count = (answers[0] as { winning_bids: { all: { count: number } } }).winning_bids.all.count;
    expect(await cacheCount('miss')).toBe(misses + 1);
    expect(await cacheCount('hit')).toBe(hits + 49);
    // New events: the next answers count them as soon as their checkpoint is in Redis.
    const client = new TabClient({ brokers: config.brokers, topic, clientId: 'bidder-1' });
    await client.connect();
    client.counter('winning_bids').record(5);
    await client.close();
    await waitFor('the new event in the shared answer', async () => getJson(path), (a) => (a as { winning_bids: { all: { count: number } } }).winning_bids.all.count === count + 1, 10_000);
  });

  it('a state query of a topology Redis holds no state of is a 404 saying so, not an empty answer', async () => {
    for (const path of ['/api/aggregate', '/api/projection', '/api/tabs', '/api/clients', '/api/types', '/api/super']) {
      const res = await get(`${path}?topology=nosuch`);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body), path).toEqual({ error: "no topology 'nosuch' deployed: Redis holds no state of it (see /api/topologies)" });
    }
  });
});
