// A worker's /metrics fed by runner events alone (no services): a partition's
// series appear with its take-up and leave with its hand-over, by the next
// scrape; a stopped runner leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { workerMetricsRegistry } from '../../topology/runtime/worker-metrics';
import { WorkerEmitter } from '../../topology/runtime/worker-events';
import { RunnerEmitter } from '../../topology/runtime/runner-events';
import { TaskMetrics } from '../../topology/runtime/task-metrics';
import { WorkingSet } from '../../contracts/working-set';
import type { Worker } from '../../topology/runtime/worker';
import type { TopologyRunner } from '../../topology/runtime/topology-runner';
import { parsePrometheusText, samplesOf, sumOf } from '../support/prometheus-text';

function fakeWorker() {
  const events = new WorkerEmitter();
  const worker = { id: 'w1', events, workingSet: new WorkingSet(1_000), isLeader: false } as unknown as Worker;
  const registry = workerMetricsRegistry(worker);
  const scrape = async () => parsePrometheusText(await registry.metrics());
  const startRunner = (topology: string) => {
    const runner = { events: new RunnerEmitter() } as unknown as TopologyRunner;
    events.emit('runner_started', { topology, runner });
    return runner;
  };
  return { events, scrape, startRunner };
}

const takeUp = (runner: TopologyRunner, partition: number, states: number): TaskMetrics => {
  const metrics = new TaskMetrics();
  metrics.set('states', states);
  metrics.count('records', 10);
  runner.events.emit('took_up', { partition, generation: 1, token: 1, watermark: -1, dedupBuckets: 0, metrics });
  return metrics;
};
const partitionsOf = (m: Awaited<ReturnType<ReturnType<typeof fakeWorker>['scrape']>>) =>
  [...new Set(m.samples.filter((s) => s.labels.partition !== undefined).map((s) => s.labels.partition))].sort();

describe('worker /metrics from runner events', () => {
  it('drops every series of a partition handed over by the next scrape, and keeps the others', async () => {
    const { scrape, startRunner } = fakeWorker();
    const runner = startRunner('taba');
    takeUp(runner, 0, 5);
    takeUp(runner, 1, 7);
    runner.events.emit('running', { generation: 1, partitions: [0, 1], ms: { stopAndFlush: 0, claim: 0, takeUp: 0, startConsumer: 0 } });
    runner.events.emit('checkpoint', { partition: 1, watermark: 9, events: 10, flushedAt: Date.now(), seconds: 0.002 });
    runner.events.emit('stalled', { partition: 1, kind: 'checkpoint_failed', reason: 'down', since: Date.now(), first: true });

    const before = await scrape();
    expect(sumOf(before, 'tabstream_states', { topology: 'taba' })).toBe(12);
    expect(partitionsOf(before)).toEqual(['0', '1']);
    expect(samplesOf(before, 'tabstream_last_flush_age_seconds', { partition: '1' })).toHaveLength(1);
    expect(samplesOf(before, 'tabstream_partition_stalled', { partition: '1', kind: 'checkpoint_failed' })).toHaveLength(1);
    expect(sumOf(before, 'tabstream_owned_partitions', { topology: 'taba' })).toBe(2);
    expect(sumOf(before, 'tabstream_assignment_generation', { topology: 'taba' })).toBe(1);
    expect(sumOf(before, 'tabstream_checkpoint_duration_seconds_count', { topology: 'taba', worker: 'w1' })).toBe(1);

    runner.events.emit('handed_over', { partition: 1, generation: 2, reason: 'reassigned', pendingDropped: false });
    const after = await scrape();
    expect(partitionsOf(after)).toEqual(['0']);
    expect(sumOf(after, 'tabstream_states', { topology: 'taba' })).toBe(5);
    expect(sumOf(after, 'tabstream_records_total', { topology: 'taba' })).toBe(10);
    expect(sumOf(after, 'tabstream_owned_partitions', { topology: 'taba' })).toBe(1);
  });

  it("renders the record latency histograms cumulative per stage, read at scrape time, and drops a partition's with its hand-over", async () => {
    const { scrape, startRunner } = fakeWorker();
    const runner = startRunner('taba');
    const metrics = takeUp(runner, 3, 1);
    metrics.latency.folded.observe(0.02);
    metrics.latency.folded.observe(0.2);
    metrics.latency.folded.observe(100);
    const m = await scrape();
    expect(m.types.get('tabstream_record_e2e_latency_seconds')).toBe('histogram');
    const bucket = (stage: string, le: string) => sumOf(m, 'tabstream_record_e2e_latency_seconds_bucket', { partition: '3', stage, le });
    expect(bucket('folded', '0.01')).toBe(0);
    expect(bucket('folded', '0.025')).toBe(1);
    expect(bucket('folded', '0.2')).toBe(2);
    expect(bucket('folded', '60')).toBe(2);
    expect(bucket('folded', '+Inf')).toBe(3);
    expect(bucket('queryable', '+Inf')).toBe(0);
    expect(sumOf(m, 'tabstream_record_e2e_latency_seconds_count', { partition: '3', stage: 'folded', worker: 'w1' })).toBe(3);
    expect(sumOf(m, 'tabstream_record_e2e_latency_seconds_sum', { partition: '3', stage: 'folded' })).toBeCloseTo(100.22, 9);

    metrics.latency.queryable.observe(0.4);
    expect(sumOf(await scrape(), 'tabstream_record_e2e_latency_seconds_count', { stage: 'queryable' })).toBe(1);
    runner.events.emit('handed_over', { partition: 3, generation: 2, reason: 'reassigned', pendingDropped: false });
    expect(samplesOf(await scrape(), 'tabstream_record_e2e_latency_seconds_count', {})).toHaveLength(0);
  });

  it('reads the task counters at scrape time, keeps a released partition until it is handed over, and forgets a stopped runner', async () => {
    const { events, scrape, startRunner } = fakeWorker();
    const runner = startRunner('taba');
    const metrics = takeUp(runner, 0, 1);
    metrics.count('records', 5);
    expect(sumOf(await scrape(), 'tabstream_records_total', { partition: '0' })).toBe(15);

    // Released (to be taken up again here): not running, but still this worker's partition.
    runner.events.emit('released', { partition: 0, kind: 'fenced', reason: 'fenced', retakeInMs: 0 });
    const released = await scrape();
    expect(sumOf(released, 'tabstream_owned_partitions', { topology: 'taba' })).toBe(0);
    expect(sumOf(released, 'tabstream_records_total', { partition: '0' })).toBe(15);

    runner.events.emit('consumer_stopped', { reason: 'no life' });
    expect(sumOf(await scrape(), 'tabstream_reader_restarts_total', { topology: 'taba' })).toBe(1);

    events.emit('runner_stopped', { topology: 'taba', runner });
    const stopped = await scrape();
    expect(stopped.samples.filter((s) => s.labels.topology === 'taba' && !s.name.startsWith('tabstream_checkpoint_duration'))).toEqual([]);
    // A stopped runner's events reach nothing any more.
    takeUp(runner, 3, 1);
    expect(partitionsOf(await scrape())).toEqual([]);
  });

  it('reports a partition that only stalls (never taken up) while it stalls, and nothing once it resumes', async () => {
    const { scrape, startRunner } = fakeWorker();
    const runner = startRunner('taba');
    runner.events.emit('stalled', { partition: 2, kind: 'take_up_failed', reason: 'Redis down', since: Date.now() - 2_000, first: true });
    const stalled = samplesOf(await scrape(), 'tabstream_partition_stalled', { partition: '2' });
    expect(stalled).toHaveLength(1);
    expect(stalled[0]!.value).toBeGreaterThanOrEqual(2);
    runner.events.emit('resumed', { partition: 2, last: true, stalledMs: 2_000 });
    expect(partitionsOf(await scrape())).toEqual([]);
  });
});
