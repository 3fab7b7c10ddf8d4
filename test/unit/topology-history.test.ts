// The history `serve` keeps for the dashboard: bounded rings, rates from
// counts, dead letters per sample, checkpoint times from the workers' reports.
import { describe, expect, it } from 'vitest';
import { SeriesRing } from '../../ui/series-ring';
import { TopologyHistory } from '../../ui/topology-history';
import type { TopologyStatus } from '../../topology/deploy/topology-status';
import type { WorkerInfo } from '../../topology/coordination/rebalancer';
import type { RenderedAggregate } from '../../state/aggregate';

describe('SeriesRing', () => {
  it('keeps the last `capacity` samples, oldest first, and drops a column once it holds nothing', () => {
    const ring = new SeriesRing(3, 2);
    ring.push(1, { a: 1, b: 10 });
    ring.push(2, { a: 2, c: 99 }); // a third column: over maxColumns, not kept
    ring.push(3, { a: 3 });
    ring.push(4, { a: 4, b: null });
    expect(ring.read()).toEqual({ t: [2, 3, 4], columns: { a: [2, 3, 4], b: [null, null, null] } });
    expect(ring.read(3)).toEqual({ t: [4], columns: { a: [4], b: [null] } });
    ring.push(5, { a: 5 });
    ring.push(6, { a: 6 }); // came round with b empty throughout: b goes
    expect(ring.columnNames).toEqual(['a']);
    expect(ring.length).toBe(3);
    expect(ring.lastTime).toBe(6);
  });
});

const worker = (id: string, startedAt: number, reportedAt: number, stats: NonNullable<WorkerInfo['health']>['stats']): WorkerInfo => ({
  id,
  host: 'h',
  pid: 1,
  capacity: null,
  startedAt,
  version: '0.1.0',
  health: { reportedAt, stalls: {}, stats },
});

const status = (events: number[], lag: number, workers: WorkerInfo[], unavailable: string[] = []): TopologyStatus =>
  ({
    spec: {} as TopologyStatus['spec'],
    generation: 1,
    leader: 'w1',
    workers,
    totalLag: lag,
    unavailable,
    partitions: events.map((e, partition) => ({ partition, worker: 'w1', committedOffset: 0, endOffset: 0, lag: 0, watermark: 0, generation: 1, token: 1, events: e, lastFlush: 0, stalled: null })),
  }) as TopologyStatus;

const counter = (count: number, total1m: number): RenderedAggregate => ({ name: 'c', type: 'counter', clients: 1, '1m': { count: 1, total: total1m }, all: { count, total: count } });

describe('TopologyHistory', () => {
  it('charts events/s, lag, checkpoint latency, dead letters and each Tab’s rate and key figure', () => {
    const h = new TopologyHistory('t', 1000, 10_000);
    const stats = (deadLetters: Record<string, number>, checkpoints: { count: number; meanMs: number; maxMs: number } | null) => ({ t: { deadLetters, checkpoints } });
    // The first sample: no rate yet (rates are measured over 5 s at least); what the worker held before is history, not new dead letters.
    h.record({ at: 10_000, status: status([10, 10], 5, [worker('w1', 0, 9000, stats({ 'bad-json': 7 }, { count: 2, meanMs: 4, maxMs: 6 }))]), aggregates: { c: counter(100, 3) } });
    h.record({ at: 20_000, status: status([30, 50], 0, [worker('w1', 0, 19_000, stats({ 'bad-json': 9, 'type-unknown': 1 }, { count: 2, meanMs: 10, maxMs: 12 })), worker('w2', 15_000, 19_000, stats({ 'bad-json': 4 }, { count: 6, meanMs: 2, maxMs: 3 }))]), aggregates: { c: counter(140, 5) } });
    // The same reports again (nothing new published): no checkpoint value, no dead letters.
    h.record({ at: 25_000, status: null, aggregates: null });
    const json = h.toJson();
    expect(json.t).toEqual([10_000, 20_000, 25_000]);
    expect(json.series.events_per_s).toEqual([null, 6, null]); // (80 - 20) / 10 s
    expect(json.series.lag).toEqual([5, 0, null]);
    expect(json.series.up).toEqual([1, 1, 0]);
    expect(json.series.checkpoint_ms).toEqual([4, (2 * 10 + 6 * 2) / 8, null]);
    expect(json.series.checkpoint_max_ms).toEqual([6, 12, null]);
    // w1: 7 -> 9 bad-json, 0 -> 1 type-unknown; w2 started after the first sample: its 4 are new.
    expect(json.deadLetters.perSample).toEqual({ 'bad-json': [null, 6, null], 'type-unknown': [null, 1, null] });
    expect(json.deadLetters.held).toEqual({ 'bad-json': 13, 'type-unknown': 1 });
    expect(json.tabs).toEqual({ c: { type: 'counter', figure: 'total, 1m', rate: [null, 4, null], value: [3, 5, null] } });
    // The next rate is measured from the last counts read, across the gap.
    h.record({ at: 30_000, status: status([60, 60], 0, []), aggregates: { c: counter(180, 5) } });
    expect(h.toJson(25_000)).toMatchObject({ t: [30_000], series: { events_per_s: [4] }, tabs: { c: { rate: [4] } } });
    // Over at least 5 s: a reading 1 s later is measured from the one 10 s before, not the last.
    h.record({ at: 31_000, status: status([60, 71], 0, []), aggregates: { c: counter(191, 5) } });
    expect(h.toJson(30_000)).toMatchObject({ series: { events_per_s: [(131 - 80) / 11] }, tabs: { c: { rate: [(191 - 140) / 11] } } });
    expect(Object.keys(h.toJson(undefined, (name) => name !== 'c').tabs)).toEqual([]);
  });

  it('is bounded: an hour at its step, whatever runs', () => {
    const h = new TopologyHistory('t', 5000, 3600_000);
    for (let i = 0; i < 800; i++) h.record({ at: i * 5000, status: status([i], 0, []), aggregates: {} });
    expect(h.length).toBe(720);
    expect(h.toJson().t[0]).toBe(80 * 5000);
  });
});
