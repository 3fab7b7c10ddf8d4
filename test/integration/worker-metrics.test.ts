import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from '@platformatic/kafka';
import { deployTopology } from '../../topology/deploy/deploy';
import { TabClient } from '../../client';
import { WorkerProcess, explainWith, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { loaderProducer } from '../support/event-loader';
import { parsePrometheusText, samplesOf, sumOf, type PromText } from '../support/prometheus-text';

const PARTITIONS = 2;
const EVENTS = 40;

describe('topology worker --metrics-port', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('wmetrics');
  const topic = `${name}-tabs`;
  let worker: WorkerProcess;
  let producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  let port = 0;

  const scrape = async (): Promise<PromText> => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    return parsePrometheusText(await res.text());
  };
  const ofTopology = { topology: name };

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: PARTITIONS });
    worker = new WorkerProcess(config, `${name}-w`, ['--metrics-port', '0']);
    const served = await explainWith([worker], () =>
      waitFor('the metrics port in the log', async () => worker.logs.find((l) => l.msg === 'metrics served on /metrics'), (l) => l !== undefined, 30_000),
    );
    port = Number(served!.port);
    producer = loaderProducer(config.brokers);
  }, 60_000);

  afterAll(async () => {
    await producer?.close();
    worker?.kill('SIGTERM');
    await worker?.waitExit();
  });

  it('reports ownership: partitions, generation and leadership', async () => {
    const m = await explainWith([worker], () =>
      // The generation counts once fully applied (taken up and reading), a moment after the partitions are owned.
      waitFor(
        'both partitions owned under a generation',
        scrape,
        (m) => sumOf(m, 'tabstream_owned_partitions', ofTopology) === PARTITIONS && sumOf(m, 'tabstream_assignment_generation', ofTopology) >= 1,
        30_000,
      ),
    );
    expect(samplesOf(m, 'tabstream_worker_leader')).toEqual([{ name: 'tabstream_worker_leader', labels: { worker: worker.id }, value: 1 }]);
    // Process metrics come along, and the collector's time by kind (a series per kind from the start).
    expect(m.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(m.types.get('tabstream_gc_seconds_total')).toBe('counter');
    expect(samplesOf(m, 'tabstream_gc_seconds_total').map((s) => s.labels.kind).sort()).toEqual(['incremental', 'major', 'minor', 'weakcb']);
    expect(samplesOf(m, 'tabstream_gc_seconds_total').every((s) => s.value >= 0)).toBe(true);
  });

  it('records, events folded and checkpoints move as events arrive', async () => {
    const client = new TabClient({ brokers: config.brokers, topic, clientId: 'bidder-1' });
    await client.connect();
    for (let i = 0; i < EVENTS; i++) client.counter(`bids_${i % 4}`).record(1);
    await client.close();
    const m = await explainWith([worker], () =>
      waitFor('every event folded', scrape, (m) => sumOf(m, 'tabstream_events_folded_total', ofTopology) === EVENTS, 30_000),
    );
    expect(m.types.get('tabstream_records_total')).toBe('counter');
    expect(sumOf(m, 'tabstream_records_total', ofTopology)).toBeGreaterThanOrEqual(1);
    expect(sumOf(m, 'tabstream_checkpoints_written_total', ofTopology)).toBeGreaterThanOrEqual(1);
    expect(sumOf(m, 'tabstream_checkpoints_failed_total', ofTopology)).toBe(0);
    expect(sumOf(m, 'tabstream_dead_letters_total', ofTopology)).toBe(0);
    expect(sumOf(m, 'tabstream_checkpoint_duration_seconds_count', ofTopology)).toBeGreaterThanOrEqual(1);
    // Every record's age at each stage, from its producer's timestamp: all of them, each stage no younger than the one before.
    const records = sumOf(m, 'tabstream_records_total', ofTopology);
    const latency = (stage: string, series = 'count', labels: Record<string, string> = {}) =>
      sumOf(m, `tabstream_record_e2e_latency_seconds_${series}`, { ...ofTopology, stage, ...labels });
    for (const stage of ['fetched', 'received', 'folded', 'queryable']) {
      expect(latency(stage)).toBe(records);
      expect(latency(stage, 'bucket', { le: '60' })).toBe(records);
    }
    expect(latency('received', 'sum')).toBeGreaterThanOrEqual(latency('fetched', 'sum'));
    expect(latency('folded', 'sum')).toBeGreaterThanOrEqual(latency('received', 'sum'));
    expect(latency('queryable', 'sum')).toBeGreaterThan(latency('folded', 'sum'));
    const flushAges = samplesOf(m, 'tabstream_last_flush_age_seconds', ofTopology);
    expect(flushAges.length).toBeGreaterThanOrEqual(1);
    expect(flushAges.every((s) => s.value >= 0 && s.value < 60)).toBe(true);
  });

  it('counts a malformed message and an invalid event as dead letters by reason, each as one record', async () => {
    const before = await scrape();
    const records = sumOf(before, 'tabstream_records_total', ofTopology);
    await producer.send({
      messages: [
        { topic, key: Buffer.from('bids_0'), value: Buffer.from('{"tab": "bids_0", "type": ') },
        { topic, key: Buffer.from('bids_1'), value: Buffer.from(JSON.stringify({ tab: 'bad tab!', type: 'counter', value: 1, time: Date.now(), client: 'bidder-1' })) },
      ],
    });
    const m = await explainWith([worker], () =>
      waitFor('two dead letters', scrape, (m) => sumOf(m, 'tabstream_dead_letters_total', ofTopology) === 2, 30_000),
    );
    expect(sumOf(m, 'tabstream_dead_letters_total', { ...ofTopology, reason: 'bad-json' })).toBe(1);
    expect(sumOf(m, 'tabstream_dead_letters_total', { ...ofTopology, reason: 'tab-invalid' })).toBe(1);
    expect(sumOf(m, 'tabstream_records_total', ofTopology)).toBe(records + 2);
    expect(sumOf(m, 'tabstream_events_folded_total', ofTopology)).toBe(EVENTS);
    // Every TabClient event carries an id: the dedup windows hold them all, and report their size.
    expect(sumOf(m, 'tabstream_dedup_window_ids', ofTopology)).toBe(EVENTS);
    expect(sumOf(m, 'tabstream_dedup_window_evicted_ids', ofTopology)).toBe(0);
    expect(sumOf(m, 'tabstream_states', ofTopology)).toBeGreaterThan(0);
  });

  it('serves /metrics only', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });
});
