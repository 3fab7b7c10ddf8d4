// A Tab type that a topology module registers (examples/histogram-topology.ts),
// through the whole pipeline: events of the type produced to Kafka, folded by
// a `topology worker` process that loads the module from the deployed spec,
// read back by `topology query` (CLI) and `topology serve` (HTTP API), which
// load it the same way; compared with totals this test computes itself.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { specDescriptionText } from '../../topology/deploy/spec-description';
import { typesOfSpec } from '../../topology/deploy/spec-types';
import type { TopologySpec } from '../../topology/deploy/topology-spec';
import { RedisStateStore } from '../../state/redis-state-store';
import { TabQuery } from '../../state/tab-query';
import { redisClient, type RedisConnection } from '../../state/redis-client';
import { configEnv, explainWith, sleep, testConfig, uniqueName, waitFor, WorkerProcess } from '../support/pipeline-harness';
import { loaderProducer } from '../support/event-loader';
import { runCli } from '../support/run-cli';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';
import { scratchDir } from '../support/scratch-dir';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODULE = join(ROOT, 'examples/histogram-topology.ts');
/** The example's bounds, restated: the expected answers here do not come from its code. */
const BOUNDS = [10, 50, 100, 500, 1000];
const TABS = ['latency_api', 'latency_db', 'latency_cache'];
const CLIENTS = ['web-1', 'web-2', 'batch-1'];
const PER_TAB_AND_CLIENT = 400;

interface Expected {
  count: number;
  min: number;
  max: number;
  buckets: Array<{ le: number | '+Inf'; count: number }>;
}

/** What a histogram of `values` must render: counts per (previous bound, bound], min and max. */
function histogramOf(values: number[]): Expected {
  const edges = [-Infinity, ...BOUNDS, Infinity];
  return {
    count: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    buckets: edges.slice(1).map((upper, i) => ({ le: upper === Infinity ? '+Inf' : upper, count: values.filter((v) => v > edges[i]! && v <= upper).length })),
  };
}

describe('a pluggable Tab type through the whole pipeline', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('hist');
  const topic = `${name}-tabs`;
  const env = configEnv(config);
  let spec: TopologySpec;
  let worker: WorkerProcess;
  let serve: ServeProcess;
  let redis: RedisConnection;
  const expected = new Map<string, Expected>();
  const perClient = new Map<string, Expected>();
  let requests = 0;

  const cli = async (...args: string[]): Promise<string> => {
    const run = await runCli([...args, '--topology', name], env);
    if (run.code !== 0) throw new Error(`topology ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  };

  beforeAll(async () => {
    spec = await deployTopology(config, MODULE, { name, topic, partitions: 3 });
    worker = new WorkerProcess(config, `${name}-w`, [], { group: true });
    serve = await startServe(env, name);
    redis = redisClient(config, { timeoutMs: 2000, maxRetriesPerRequest: 1 });

    // Latencies spread over every bucket, with a counter Tab in the same messages: built-ins still fold.
    const values = new Map<string, number[]>();
    const producer = loaderProducer(config.brokers);
    const now = Date.now();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const tab of TABS) {
      for (const client of CLIENTS) {
        const events: unknown[] = [];
        for (let i = 0; i < PER_TAB_AND_CLIENT; i++) {
          const value = Math.round(Math.exp(random() * 7.6) * 100) / 100; // 1 ms .. 2 s, on a log scale
          events.push({ tab, type: 'histogram', value, time: now - Math.floor(random() * 20_000), client });
          for (const key of client === 'web-1' ? [tab, `${tab}@web-1`] : [tab]) values.set(key, [...(values.get(key) ?? []), value]);
          if (i % 4 === 0) {
            events.push({ tab: 'requests', type: 'counter', value: 1, time: now, client });
            requests++;
          }
        }
        // In batches of 100 events, keyed by Tab as TabClient would.
        for (let b = 0; b < events.length; b += 100) {
          await producer.send({ messages: [{ topic, key: Buffer.from(tab), value: Buffer.from(JSON.stringify(events.slice(b, b + 100))) }] });
        }
      }
    }
    await producer.close();
    for (const tab of TABS) {
      expected.set(tab, histogramOf(values.get(tab)!));
      perClient.set(tab, histogramOf(values.get(`${tab}@web-1`)!));
    }

    // Folded and checkpointed: read in this process with the deployed topology's types, as the readers load them.
    const query = new TabQuery(new RedisStateStore(redis, { prefix: config.redisPrefix }), await typesOfSpec(spec), name);
    await explainWith([worker], () =>
      waitFor(
        'every histogram event folded',
        () => query.aggregate('latency_.*'),
        (a) => TABS.every((tab) => (a[tab]?.all as Expected | undefined)?.count === expected.get(tab)!.count),
        90_000,
      ),
    );
  }, 150_000);

  afterAll(async () => {
    await stopServe(serve);
    if (worker !== undefined) {
      worker.kill('SIGTERM');
      await worker.waitExit().catch(() => worker.kill('SIGKILL'));
    }
    redis?.disconnect();
  });

  it('deploy records the module, and the spec describes the type', () => {
    expect(spec.module).toBe(MODULE);
    expect(specDescriptionText(spec)).toContain('Tab types: histogram');
  });

  it('`topology query aggregate` renders the folded histograms with the values the test computed', async () => {
    const out = JSON.parse(await cli('query', 'aggregate', 'latency_.*', '--json'));
    expect(Object.keys(out)).toEqual([...TABS].sort());
    for (const tab of TABS) {
      const want = expected.get(tab)!;
      expect(out[tab]).toMatchObject({ name: tab, type: 'histogram', clients: CLIENTS.length });
      // Events are at most 20 s old and read within minutes: every window from 10m up holds them all.
      for (const window of ['10m', '1h', '1d', 'all']) expect(out[tab][window], `${tab} ${window}`).toEqual(want);
    }
    const web1 = JSON.parse(await cli('query', 'aggregate', 'latency_db', '--client', 'web-1', '--json'));
    expect(web1.latency_db).toMatchObject({ clients: 1, all: perClient.get('latency_db') });
    // The built-in types of the same topology fold beside it.
    const counter = JSON.parse(await cli('query', 'aggregate', 'requests', '--json'));
    expect(counter.requests.all).toEqual({ count: requests, total: requests, average: 1 });
    expect(await cli('query', 'aggregate', 'latency_api')).toContain(`latency_api (histogram, ${CLIENTS.length} clients)`);
  });

  it('`topology query types` lists the topology\'s type with the built-in ones', async () => {
    const types = JSON.parse(await cli('query', 'types', '--json'));
    expect(types).toEqual([
      { type: 'counter', tabs: 1 },
      { type: 'gauge', tabs: 0 },
      { type: 'percentile', tabs: 0 },
      { type: 'unique', tabs: 0 },
      { type: 'buffer', tabs: 0 },
      { type: 'histogram', tabs: TABS.length },
    ]);
  });

  it('the HTTP API answers as the CLI does', async () => {
    const get = async (path: string): Promise<unknown> => {
      const res = await fetch(`${serve.url}${path}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    };
    const api = (await get('/api/aggregate?tab=latency_.*')) as Record<string, Record<string, unknown>>;
    for (const tab of TABS) {
      expect(api[tab]).toMatchObject({ type: 'histogram', clients: CLIENTS.length, all: expected.get(tab), '1h': expected.get(tab) });
    }
    expect(api).toEqual(JSON.parse(await cli('query', 'aggregate', 'latency_.*', '--json')));
    expect(await get('/api/types')).toContainEqual({ type: 'histogram', tabs: TABS.length });
    const projections = (await get('/api/projection?tab=latency_cache&client=web-1')) as Record<string, Record<string, { all: unknown }>>;
    expect(projections.latency_cache!['web-1']!.all).toEqual(perClient.get('latency_cache'));
  });

  it('--module names the module instead of ZooKeeper; without ZooKeeper the query says so in one line and keeps to the built-ins', async () => {
    const named = JSON.parse(await cli('query', 'aggregate', 'latency_api', '--json', '--module', 'examples/histogram-topology.ts'));
    expect(named.latency_api.all).toEqual(expected.get('latency_api'));

    const noZk = await runCli(['query', 'aggregate', '.*', '--json', '--topology', name], { ...env, TABSTREAM_ZK: '127.0.0.1:1' });
    expect(noZk.code).toBe(0);
    expect(noZk.stderr.trim().split('\n')).toHaveLength(1);
    expect(noZk.stderr).toMatch(new RegExp(`^topology: could not read ${name}'s spec from ZooKeeper \\(.*\\): built-in Tab types only; --module <path> names its module`));
    expect(Object.keys(JSON.parse(noZk.stdout))).toEqual(['requests']);
  });

  it('a deployed module that no longer loads: one line naming it, from the query, the API and the worker', async () => {
    const dir = scratchDir('gone-module');
    const gone = join(dir, 'histogram-copy.ts');
    // A copy that imports the example from the repository, deployed under another name, then removed.
    writeFileSync(gone, readFileSync(MODULE, 'utf8').replaceAll("'../", `'${ROOT}/`).replaceAll("'./", `'${ROOT}/examples/`));
    const other = `${name}-gone`;
    await deployTopology(config, gone, { name: other, topic: `${other}-tabs`, partitions: 1 });
    rmSync(gone);

    const query = await runCli(['query', 'aggregate', '.*', '--topology', other], env);
    expect(query.code).toBe(1);
    expect(query.stderr.trim().split('\n')).toHaveLength(1);
    expect(query.stderr).toContain(`topology: topology module ${gone} failed to load: `);
    expect(query.stderr).toContain(`(the module ${other} was deployed with; --module <path> names it on this machine)`);

    const res = await fetch(`${serve.url}/api/aggregate?topology=${other}`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^topology module ${gone.replace(/[.]/g, '\\.')} failed to load: [^\\n]+$`));

    // The worker says it once and retries; the other topology goes on being served.
    const failed = (l: { topology?: unknown; msg: string }) => l.topology === other && l.msg === 'could not apply assignment; retrying';
    const line = await waitFor('the worker reports the module', async () => worker.logs.find(failed), (l) => l !== undefined, 20_000);
    expect(String(line!.err)).toMatch(new RegExp(`^topology module ${gone.replace(/[.]/g, '\\.')} failed to load: [^\\n]+$`));
    // Retried every second, said once.
    await sleep(2500);
    expect(worker.logs.filter(failed)).toHaveLength(1);
    expect(worker.exited).toBe(false);
  });
});
