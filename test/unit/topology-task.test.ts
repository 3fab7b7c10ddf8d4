import { describe, expect, it } from 'vitest';
import buildTaba from '../../topology/builtin/taba';
import buildTwoKeyed from '../faults/two-keyed-topology';
import { TopologyTask } from '../../topology/runtime/topology-task';
import type { InputRecord } from '../../contracts/input-consumer';
import { TaskMetrics } from '../../topology/runtime/task-metrics';
import type { Outbox, OutboxMessage } from '../../topology/runtime/outbox';
import { decodeEnvelope } from '../../topology/runtime/forward-envelope';
import { defaultRegistry, HandlerRegistry } from '../../tabs/handlers/registry';
import { createGaugeHandler } from '../../tabs/handlers/gauge';
import { partitionForKey } from '../../client/partition-for-key';
import { registryWithFragile } from '../support/fragile-handler';
import type { LoadedPartition } from '../../state/redis-state-store';

class MemoryOutbox implements Outbox {
  readonly messages: OutboxMessage[] = [];
  push(m: OutboxMessage): void {
    this.messages.push(m);
  }
}

const PARTITIONS = 4;
const taba = buildTaba({ name: 't', topic: 'tabs' });
const empty = (): LoadedPartition => ({ generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: null, recordsCurrent: true });
const now = 1_700_000_000_000;
const event = (tab: string, value: number, extra: Record<string, unknown> = {}) => ({ tab, type: 'counter', value, time: now, client: 'c1', ...extra });
const record = (offset: number, value: unknown): InputRecord => ({ offset: String(offset), key: null, value: Buffer.from(JSON.stringify(value)), timestamp: String(now) });

/** A Tab name that Kafka's partitioner puts on `partition`. */
function tabOn(partition: number, prefix = 'tab'): string {
  for (let i = 0; ; i++) if (partitionForKey(`${prefix}${i}`, PARTITIONS) === partition) return `${prefix}${i}`;
}

function task(index: number, outbox = new MemoryOutbox(), loaded = empty(), committed = new Map<string, number | null>()) {
  const t = new TopologyTask(taba, index, PARTITIONS, defaultRegistry(), outbox, new TaskMetrics(), 'tabs.dlq');
  t.restore(loaded, committed);
  return { t, outbox };
}

function allCount(t: TopologyTask): Map<string, number> {
  const cp = t.checkpoint(now)!.checkpoint;
  const counts = new Map<string, number>();
  const h = defaultRegistry().get('counter')!;
  for (const s of cp.states) {
    const rendered = h.render(h.project(h.deserialize(s.bytes), now)) as { all: { count: number } };
    counts.set(s.tab, rendered.all.count);
  }
  return counts;
}

describe('TopologyTask', () => {
  it('reads the spout partition and the fold repartition partition of its index', () => {
    expect(task(2).t.inputTopics()).toEqual([
      { topic: 'tabs', partition: 2 },
      { topic: 't.fold.repartition', partition: 2 },
    ]);
  });

  it('folds a Tab keyed to its own partition in place (fused): nothing is forwarded', () => {
    const { t, outbox } = task(1);
    const tab = tabOn(1);
    t.process('tabs', record(0, [event(tab, 1), event(tab, 2)]));
    expect(outbox.messages).toEqual([]);
    expect(allCount(t).get(tab)).toBe(2);
  });

  it('forwards a Tab that belongs to another task through the repartition topic, one envelope per record and target', () => {
    const { t, outbox } = task(1);
    const here = tabOn(1);
    const there = tabOn(3);
    t.process('tabs', record(7, [event(here, 1), event(there, 5), event(there, 6)]));
    expect(outbox.messages).toHaveLength(1);
    const m = outbox.messages[0]!;
    expect(m).toMatchObject({ topic: 't.fold.repartition', partition: 3, key: there });
    const envelope = decodeEnvelope(m.value)!;
    expect(envelope).toMatchObject({ s: 'tabs:1', o: '7', c: 'fold' });
    expect(envelope.t.map((x) => x.value)).toEqual([5, 6]);
    expect(allCount(t)).toEqual(new Map([[here, 1]]));

    // The receiving task folds it once, and drops the same envelope re-sent after a crash.
    const receiver = task(3).t;
    const forwarded: InputRecord = { offset: '0', key: Buffer.from(there), value: m.value, timestamp: String(now) };
    receiver.process('t.fold.repartition', forwarded);
    receiver.process('t.fold.repartition', { ...forwarded, offset: '1' });
    expect(allCount(receiver)).toEqual(new Map([[there, 2]]));
  });

  it('skips records at or below the watermark it restored (a replay), and starts at max(ZooKeeper offset, watermark + 1)', () => {
    const tab = tabOn(0);
    const { t } = task(0, new MemoryOutbox(), { ...empty(), watermark: 4 }, new Map([['tabs', 2]]));
    expect(t.inputs.get('tabs')).toMatchObject({ watermark: 4, start: 5 });
    for (let o = 0; o <= 6; o++) t.process('tabs', record(o, event(tab, 1)));
    expect(allCount(t).get(tab)).toBe(2);
  });

  it('drops a resent event (same id, new offset) and dead-letters a type change', () => {
    const { t, outbox } = task(0);
    const tab = tabOn(0);
    t.process('tabs', record(0, event(tab, 1, { id: 'e1' })));
    t.process('tabs', record(1, event(tab, 1, { id: 'e1' })));
    t.process('tabs', record(2, { ...event(tab, 1), type: 'gauge' }));
    expect(allCount(t).get(tab)).toBe(1);
    expect(outbox.messages.map((m) => m.headers?.['tabstream-reason'])).toEqual(['type-mismatch']);
    expect(outbox.messages[0]!.headers?.['tabstream-source']).toBe('tabs:0:2');
  });

  it('with a state source, folds a slice held in columns exactly and dead-letters a type change as it was sent', async () => {
    // Nothing stored: every state is new once the prefetch has asked.
    const asked: string[] = [];
    const source = {
      fetch: async (_p: number, states: ReadonlyArray<{ tab: string; client: string }>, tabs: readonly string[]) => {
        asked.push(...states.map((s) => `${s.tab}/${s.client}`));
        return { states: states.map(() => null), types: tabs.map(() => null) };
      },
      scan: async () => ({ cursor: '0', states: [] }),
    };
    const outbox = new MemoryOutbox();
    const t = new TopologyTask(taba, 0, PARTITIONS, defaultRegistry(), outbox, new TaskMetrics(), 'tabs.dlq', { states: source });
    await t.restore(empty(), new Map());
    const a = tabOn(0, 'a');
    const b = tabOn(0, 'b');
    const sent = { tab: a, type: 'gauge', value: 7.25, time: now + 3, client: 'c9' };
    const records = [
      record(0, [event(a, 1.5), event(a, 2.25, { time: now + 1 }), event(b, 10, { client: 'c2' })]),
      record(1, [event(b, 0.125, { client: 'c3' }), sent, event(a, -4, { time: now + 2 })]),
    ];
    await t.processSlice('tabs', records);
    // The prefetch read each run's Tab and client from the held columns: every state once, with its Tab's record and the record's delta.
    expect(asked.sort()).toEqual([`${a}/*`, `${a}/*+`, `${a}/c1`, `${a}/c9`, `${b}/*`, `${b}/*+`, `${b}/c2`, `${b}/c3`].sort());
    const cp = t.checkpoint(now + 10)!.checkpoint;
    const h = defaultRegistry().get('counter')!;
    const totals = new Map(
      cp.states
        .filter((s) => s.client === '*')
        .map((s) => [s.tab, (h.render(h.project(h.deserialize(s.bytes), now + 10)) as { all: { count: number; total: number } }).all]),
    );
    expect(totals.get(a)).toMatchObject({ count: 3, total: 1.5 + 2.25 - 4 });
    expect(totals.get(b)).toMatchObject({ count: 2, total: 10.125 });
    expect(outbox.messages.map((m) => m.headers?.['tabstream-reason'])).toEqual(['type-mismatch']);
    expect(outbox.messages[0]!.headers?.['tabstream-source']).toBe('tabs:0:1');
    expect(JSON.parse(outbox.messages[0]!.value!.toString())).toEqual(sent);
  });

  it('checkpoints the watermark, new types, dedup ids and commits, then nothing until something changes', () => {
    const { t } = task(0);
    const tab = tabOn(0);
    t.process('tabs', record(0, event(tab, 3, { id: 'x' })));
    const first = t.checkpoint(now)!;
    expect(first.checkpoint).toMatchObject({ watermark: 0, eventsDelta: 1, types: [{ tab, type: 'counter' }] });
    expect([...first.checkpoint.dedupAdded.values()].flat()).toEqual(['x']);
    expect(first.commits.map((c) => [c.topic, c.watermark])).toEqual([['tabs', 0]]);
    expect(t.checkpoint(now)).toBeNull();
  });

  it("collects windowed states with no event for the stale time (Taba's GC), and only those", () => {
    const DAY = 24 * 60 * 60 * 1000;
    const t = new TopologyTask(buildTaba({ name: 't', topic: 'tabs', staleTabAfterMs: 2 * DAY }), 0, PARTITIONS, defaultRegistry(), new MemoryOutbox(), new TaskMetrics(), 'tabs.dlq');
    t.restore(empty(), new Map());
    const old = tabOn(0, 'old');
    const recent = tabOn(0, 'recent');
    t.process('tabs', record(0, { tab: old, type: 'counter', value: 1, time: now - 3 * DAY, client: 'c1' }));
    t.process('tabs', record(1, { tab: recent, type: 'percentile', value: 5, time: now - DAY, client: 'c1' }));
    const cp = t.checkpoint(now)!.checkpoint;
    // Each Tab's record (client `*`, and its delta `*+`) goes with its only client.
    expect(cp.deleted).toEqual([
      { tab: old, client: 'c1' },
      { tab: old, client: '*' },
      { tab: old, client: '*+' },
    ]);
    expect(cp.states.map((s) => `${s.tab}/${s.client}`)).toEqual([`${recent}/c1`, `${recent}/*`]);
    // A day and a half on, the other one's last event is 2.5 days old too.
    expect(t.checkpoint(now + 1.5 * DAY)?.checkpoint.deleted).toEqual([
      { tab: recent, client: 'c1' },
      { tab: recent, client: '*' },
      { tab: recent, client: '*+' },
    ]);
  });

  it('prunes states whose handler says they expired, and writes no state it deletes', () => {
    const registry = new HandlerRegistry().register(createGaugeHandler({ expireAfterMs: 1000 }));
    const t = new TopologyTask(taba, 0, PARTITIONS, registry, new MemoryOutbox(), new TaskMetrics(), 'tabs.dlq');
    t.restore(empty(), new Map());
    const stale = tabOn(0, 'stale');
    const fresh = tabOn(0, 'fresh');
    t.process('tabs', record(0, { tab: stale, type: 'gauge', value: 1, time: now - 5000, client: 'c1' }));
    t.process('tabs', record(1, { tab: fresh, type: 'gauge', value: 2, time: now, client: 'c1' }));
    const cp = t.checkpoint(now)!.checkpoint;
    // Each Tab's record (client `*`) holds the same latest value, and expires with it.
    expect(cp.deleted).toEqual([
      { tab: stale, client: 'c1' },
      { tab: stale, client: '*' },
      { tab: stale, client: '*+' },
    ]);
    expect(cp.states.map((s) => `${s.tab}/${s.client}`)).toEqual([`${fresh}/c1`, `${fresh}/*`]);
    // Later, the fresh one expires too.
    const later = t.checkpoint(now + 2000);
    expect(later?.checkpoint.deleted).toEqual([
      { tab: fresh, client: 'c1' },
      { tab: fresh, client: '*' },
      { tab: fresh, client: '*+' },
    ]);
  });

  it('dead-letters a record a bolt throws on, with the error and the bolt that threw, and goes on with the next one', () => {
    const registry = registryWithFragile();
    const fragile = registry.get('fragile')!;
    const outbox = new MemoryOutbox();
    const t = new TopologyTask(taba, 0, PARTITIONS, registry, outbox, new TaskMetrics(), 'tabs.dlq');
    t.restore(empty(), new Map());
    const tab = tabOn(0);
    t.process('tabs', record(0, { ...event(tab, 1), type: 'fragile' }));
    t.process('tabs', record(1, { ...event(tab, 13), type: 'fragile' }));
    t.process('tabs', record(2, { ...event(tab, 2), type: 'fragile' }));
    // The fold threw inside the parse bolt's emit: the innermost bolt is named, not parse.
    expect(outbox.messages.map((m) => [m.headers?.['tabstream-reason'], m.headers?.['tabstream-error'], m.headers?.['tabstream-source'], m.headers?.['tabstream-component']])).toEqual([
      ['processing-error', 'unlucky value', 'tabs:0:1', 'fold'],
    ]);
    expect(t.inputs.get('tabs')!.watermark).toBe(2);
    const cp = t.checkpoint(now)!.checkpoint;
    const rendered = fragile.render(fragile.project(fragile.deserialize(cp.states[0]!.bytes), now)) as { all: { count: number; total: number } };
    expect(rendered.all).toMatchObject({ count: 2, total: 3 });
  });
});

describe('TopologyTask with two keyed bolts (two repartition topics)', () => {
  const chain = buildTwoKeyed({ name: 't2', topic: 'tabs' });
  const RELAY = 't2.relay.repartition';
  const FOLD = 't2.fold.repartition';
  const tab = tabOn(3);
  /** A client whose relay task is `partition`. */
  const clientOn = (partition: number): string => {
    for (let i = 0; ; i++) if (partitionForKey(`client${i}`, PARTITIONS) === partition) return `client${i}`;
  };
  const chainTask = (index: number, loaded = empty()) => {
    const outbox = new MemoryOutbox();
    const t = new TopologyTask(chain, index, PARTITIONS, defaultRegistry(), outbox, new TaskMetrics(), 'tabs.dlq');
    t.restore(loaded, new Map());
    return { t, outbox };
  };
  /**
   * Task 1 reads records of `tabs:1` holding two events of a Tab of task 3: one by a client of
   * task 1 (relayed here, then sent on through the fold topic) and one by a client of task 3
   * (sent through the relay topic). Each record reaches task 3 once by each topic.
   */
  const sent = (offsets: number[]) => {
    const { t, outbox } = chainTask(1);
    for (const o of offsets) t.process('tabs', record(o, [event(tab, 1, { client: clientOn(1) }), event(tab, 10, { client: clientOn(3) })]));
    const by = (topic: string) => outbox.messages.filter((m) => m.topic === topic);
    expect(by(RELAY).map((m) => [m.partition, decodeEnvelope(m.value)!.s, decodeEnvelope(m.value)!.o])).toEqual(offsets.map((o) => [3, 'tabs:1', String(o)]));
    expect(by(FOLD).map((m) => [m.partition, decodeEnvelope(m.value)!.s, decodeEnvelope(m.value)!.o])).toEqual(offsets.map((o) => [3, 'tabs:1', String(o)]));
    return { relay: by(RELAY), fold: by(FOLD) };
  };
  const deliver = (t: TopologyTask, topic: string, m: OutboxMessage, offset: number) =>
    t.process(topic, { offset: String(offset), key: m.key === null ? null : Buffer.from(m.key), value: m.value, timestamp: String(now) });
  const totalOf = (t: TopologyTask): { count: number; total: number } | undefined => {
    const cp = t.checkpoint(now)!.checkpoint;
    const h = defaultRegistry().get('counter')!;
    let count = 0;
    let total = 0;
    // Client states only: the Tab record (client `*`) is their merge.
    for (const s of cp.states.filter((x) => x.tab === tab && x.client !== '*')) {
      const all = (h.render(h.project(h.deserialize(s.bytes), now)) as { all: { count: number; total: number } }).all;
      count += all.count;
      total += all.total;
    }
    return count === 0 ? undefined : { count, total };
  };

  it('reads both repartition topics', () => {
    expect(chainTask(3).t.inputTopics()).toEqual([
      { topic: 'tabs', partition: 3 },
      { topic: RELAY, partition: 3 },
      { topic: FOLD, partition: 3 },
    ]);
  });

  it('folds the envelopes of one source record that arrive by two topics, not one of them', () => {
    const { relay, fold } = sent([7]);
    const { t } = chainTask(3);
    deliver(t, RELAY, relay[0]!, 0);
    deliver(t, FOLD, fold[0]!, 0);
    expect(totalOf(t)).toEqual({ count: 2, total: 11 });
  });

  it('folds what one topic carries after the other ran ahead of it', () => {
    const { relay, fold } = sent([7, 8, 9]);
    const { t } = chainTask(3);
    relay.forEach((m, i) => deliver(t, RELAY, m, i));
    fold.forEach((m, i) => deliver(t, FOLD, m, i));
    expect(totalOf(t)).toEqual({ count: 6, total: 33 });
  });

  it('still skips envelopes re-sent on either topic, also after a restore from its checkpoint', () => {
    const { relay, fold } = sent([7, 8]);
    const { t } = chainTask(3);
    relay.forEach((m, i) => deliver(t, RELAY, m, i));
    fold.forEach((m, i) => deliver(t, FOLD, m, i));
    // The sender replayed offset 8 after a crash: its envelopes come again, at new offsets.
    deliver(t, FOLD, fold[1]!, 2);
    deliver(t, RELAY, relay[1]!, 2);
    const cp = t.checkpoint(now)!.checkpoint;
    const position = String(8 * 1024);
    expect(cp.sources).toMatchObject({ [`fwd:${RELAY}:tabs:1`]: position, [`fwd:${FOLD}:tabs:1`]: position, [`in:${RELAY}:3`]: '2', [`in:${FOLD}:3`]: '2' });
    expect(Object.keys(cp.sources).filter((k) => k.startsWith('fwd:'))).toHaveLength(2);

    // A successor restored from that checkpoint skips further copies of 7 and 8, and folds 9.
    const { t: next } = chainTask(3, { ...empty(), sources: cp.sources });
    const more = sent([7, 8, 9]);
    more.relay.forEach((m, i) => deliver(next, RELAY, m, 3 + i));
    more.fold.forEach((m, i) => deliver(next, FOLD, m, 3 + i));
    expect(totalOf(next)).toEqual({ count: 2, total: 11 });
  });

  it('reads an old-layout position (by source only) where the task has one repartition input, and ignores it where it has two', () => {
    const old = { [`fwd:tabs:1`]: String(8 * 1024) };
    // Taba: one repartition input, so the old position is that topic's.
    const there = tabOn(3);
    const sender = task(1);
    sender.t.process('tabs', record(8, event(there, 5)));
    sender.t.process('tabs', record(9, event(there, 6)));
    const [e8, e9] = sender.outbox.messages;
    const single = task(3, new MemoryOutbox(), { ...empty(), sources: old }).t;
    single.process('t.fold.repartition', { offset: '0', key: null, value: e8!.value, timestamp: String(now) });
    single.process('t.fold.repartition', { offset: '1', key: null, value: e9!.value, timestamp: String(now) });
    expect(allCount(single)).toEqual(new Map([[there, 1]]));

    // Two inputs: the old position is the highest over both topics, so it says nothing about either.
    const { relay, fold } = sent([8]);
    const { t } = chainTask(3, { ...empty(), sources: old });
    deliver(t, RELAY, relay[0]!, 0);
    deliver(t, FOLD, fold[0]!, 0);
    expect(totalOf(t)).toEqual({ count: 2, total: 11 });
  });
});
