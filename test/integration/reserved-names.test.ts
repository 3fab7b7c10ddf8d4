// Tab and client names that are also Object.prototype's members are ordinary
// names: folded, stored, and answered by every query (TabQuery, the CLI, the
// HTTP API), never swallowed by a plain object's prototype.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { TabClient } from '../../client';
import { AggregateReader, configEnv, testConfig, topologyCli, uniqueName, waitFor } from '../support/pipeline-harness';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';


const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const CLIENTS = ['__proto__', 'constructor', 'plain'];
/** Each client records 1..3 on each Tab: count 3 and total 6 per (Tab, client). */
const VALUES = [1, 2, 3];

describe('reserved JavaScript names as Tab and client names', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('names');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  let worker: Worker;
  let serve: ServeProcess;

  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(`${serve.url}${path}`);
    expect(res.status).toBe(200);
    return JSON.parse(await res.text());
  };
  const cli = topologyCli(config, name);

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 3 });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    serve = await startServe(configEnv(config), name);
    for (const clientId of CLIENTS) {
      const client = new TabClient({ brokers: config.brokers, topic, clientId });
      await client.connect();
      for (const tab of NAMES) for (const v of VALUES) client.counter(tab).record(v);
      await client.close();
    }
    await waitFor('all states folded', async () => (await reader.query.listTabs('.*', { clients: true })).tabs, (t) => t.length === NAMES.length && t.every((x) => x.clients === CLIENTS.length), 60_000);
  }, 120_000);

  afterAll(async () => {
    await stopServe(serve);
    await worker?.stop();
    reader.close();
  });

  /** Checks an aggregate answer: every name an own key, with its own counts. */
  const expectAggregates = (answer: unknown, clients = CLIENTS.length): void => {
    const object = answer as Record<string, { name: string; clients: number; all: { count: number; total: number } }>;
    expect(Object.keys(object).sort()).toEqual([...NAMES].sort());
    for (const tab of NAMES) {
      expect(Object.hasOwn(object, tab), tab).toBe(true);
      expect(object[tab]).toMatchObject({ name: tab, type: 'counter', clients, all: { count: 3 * clients, total: 6 * clients } });
    }
  };

  it('TabQuery answers every one of them, aggregated and per client', async () => {
    const aggregates = await reader.query.aggregate('.*');
    expectAggregates(aggregates);
    // The answer survives JSON as it is (what the API and the CLI print).
    expectAggregates(JSON.parse(JSON.stringify(aggregates)));
    expectAggregates(await reader.query.aggregate('__proto__|constructor|toString|hasOwnProperty|valueOf|__defineGetter__|isPrototypeOf', '__proto__'), 1);
    const projections = (await reader.query.projections('__proto__')) as unknown as Record<string, Record<string, { all: { count: number } }>>;
    expect(Object.keys(projections)).toEqual(['__proto__']);
    expect(Object.keys(projections['__proto__']!).sort()).toEqual([...CLIENTS].sort());
    for (const client of CLIENTS) expect(projections['__proto__']![client]!.all.count).toBe(3);
    expect((await reader.query.listClients()).clients).toEqual([...CLIENTS].sort());
    const supers = await reader.query.superAggregate('every', '.*');
    expect(supers).toMatchObject([{ name: 'every', type: 'counter', tabs: NAMES.length, all: { count: 9 * NAMES.length } }]);
  });

  it('the HTTP API answers every one of them', async () => {
    expectAggregates(await api('/api/aggregate'));
    expectAggregates(await api('/api/aggregate?tab=__proto__|constructor|toString|hasOwnProperty|valueOf|__defineGetter__|isPrototypeOf&client=constructor'), 1);
    const projection = (await api('/api/projection?tab=constructor')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(projection)).toEqual(['constructor']);
    expect(Object.keys(projection.constructor!).sort()).toEqual([...CLIENTS].sort());
    expect(((await api('/api/tabs')) as { tabs: Array<{ tab: string }> }).tabs.map((t) => t.tab).sort()).toEqual([...NAMES].sort());
    expect(((await api('/api/clients')) as { clients: string[] }).clients.sort()).toEqual([...CLIENTS].sort());
  });

  it('the CLI prints every one of them, as JSON and as text', async () => {
    expectAggregates(JSON.parse(await cli('query', 'aggregate', '.*', '--json')));
    const text = await cli('query', 'aggregate', '__proto__');
    expect(text).toMatch(/^__proto__ \(counter, 3 clients\)/);
    const projection = JSON.parse(await cli('query', 'projection', '__proto__', '--json')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(projection['__proto__']!).sort()).toEqual([...CLIENTS].sort());
    expect(await cli('query', 'projection', '__proto__')).toContain('__proto__ @ __proto__ (counter, 1 client)');
  });
});
