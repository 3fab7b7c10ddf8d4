// The runner's protocol paths on fakes in memory (no services,
// test/support/runner-fakes.ts): a hand-over writes everything folded, a
// failing partition stalls alone and is released, a record that cannot be
// processed is never skipped, fenced and lost writes take the partition up
// again.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { StateStoreError, StateStoreUnavailableError } from '../../state/errors';
import type { InputRecord } from '../../contracts/input-consumer';
import { WorkingSet } from '../../contracts/working-set';
import { registryWithFragile } from '../support/fragile-handler';
import { counter, now, records, deferred, setup, sleep, tabOn } from '../support/runner-fakes';

describe('TopologyRunner on fakes', () => {
  it("collects stale states that are only in Redis (Taba's GC), but none a fold fetched or made since its page was read", async () => {
    const { store, runner, reader } = setup();
    const DAY = 24 * 60 * 60 * 1000;
    const counter = defaultRegistry().get('counter')!;
    const stateAt = (time: number): Buffer => {
      const s = counter.newState();
      counter.fold(s, { tab: 'x', type: 'counter', value: 1, time, client: 'c' });
      return Buffer.from(counter.serialize(s));
    };
    const tab = tabOn(0);
    store.types.set(tab, 'counter');
    const stored = new Map([
      [`${tab}\u0000old`, stateAt(now - 3 * DAY)],
      [`${tab}\u0000touched`, stateAt(now - 3 * DAY)],
      [`${tab}\u0000recent`, stateAt(now - DAY)],
    ]);
    store.states.set(0, stored);
    await runner.start();
    await runner.assign(1, [0]);
    await runner.flush(); // reads a page of the walk over Redis
    await sleep(5);
    // An event for one of the stale states: fetched, folded, fresh again.
    await reader().deliver(0, [{ offset: '0', key: Buffer.from(tab), value: Buffer.from(JSON.stringify({ tab, type: 'counter', value: 1, time: now, client: 'touched' })), timestamp: String(now) }]);
    await runner.flush(); // deletes what the page found and nothing fetched since
    // The Tab record (client `*`, rebuilt from the three stored states at take-up) is fresh: it saw the new event.
    expect([...stored.keys()].sort()).toEqual([`${tab}\u0000*`, `${tab}\u0000recent`, `${tab}\u0000touched`]);
    const allCount = (bytes: Buffer): number => (counter.render(counter.project(counter.deserialize(bytes), now)) as { all: { count: number } }).all.count;
    expect(allCount(stored.get(`${tab}\u0000touched`)!)).toBe(2);
    // The record's all-time cell keeps what the collected client counted: its windows were empty.
    expect(allCount(stored.get(`${tab}\u0000*`)!)).toBe(4);
    expect(runner.metrics.get(0)!.counters.get('states_collected')).toBe(1);
    expect(runner.metrics.get(0)!.counters.get('tab_records_rebuilt')).toBe(1);
    await runner.stop();
  });

  it('holds a bounded working set: evicts written states, fetches them back when needed, and every state ends exact', async () => {
    // Room for a few thawed states, or the frozen arena's table and some 80 frozen ones: far fewer than the 200 states.
    const workingSet = new WorkingSet(16_000);
    const { store, runner, reader } = setup({ workingSet });
    await runner.start();
    await runner.assign(1, [0]);
    const tab = tabOn(0);
    const CLIENTS = 200;
    const expected = new Map<string, number>();
    let offset = 0;
    for (let round = 0; round < 12; round++) {
      // Each batch touches a fifth of the clients, a different fifth each round: every client comes back twice or more.
      const batch: InputRecord[] = [];
      for (let i = 0; i < 40; i++) {
        const client = `c${(round * 40 + i * 7) % CLIENTS}`;
        expected.set(client, (expected.get(client) ?? 0) + 2);
        batch.push({ offset: String(offset++), key: Buffer.from(tab), value: Buffer.from(JSON.stringify([1, 1].map((value) => ({ tab, type: 'counter', value, time: now, client })))), timestamp: String(now) });
      }
      await reader().deliver(0, batch);
      await runner.flush();
      expect(workingSet.bytes, `round ${round}`).toBeLessThanOrEqual(workingSet.budgetBytes);
    }
    expect(workingSet.evictions).toBeGreaterThan(CLIENTS);
    expect(workingSet.fetches).toBeGreaterThan(0);
    const counter = defaultRegistry().get('counter')!;
    const stored = store.states.get(0)!;
    expect(stored.size).toBe(CLIENTS + 1);
    const allCount = (client: string): number => (counter.render(counter.project(counter.deserialize(stored.get(`${tab}\u0000${client}`)!), now)) as { all: { count: number } }).all.count;
    for (const [client, count] of expected) expect(allCount(client), client).toBe(count);
    // The Tab record (client `*`), evicted and fetched back as any state, holds every event.
    expect(allCount('*')).toBe(2 * 40 * 12);
    expect(store.meta.get(0)).toMatchObject({ watermark: offset - 1, events: 2 * 40 * 12 });
    await runner.stop();
  });

  it('asks Redis for no state of a partition it took up with nothing stored, until one is evicted; taken up again with states stored, it asks', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 4));
    await runner.flush();
    // Nothing was stored when it was taken up: its states (client and Tab record) are new, no round trip.
    expect(store.statesAsked).toBe(0);
    expect(store.meta.get(0)).toMatchObject({ watermark: 4, events: 5 });

    // Handed over and taken up again: Redis holds its states now, so a state not in memory is asked for.
    await runner.assign(2, []);
    await runner.assign(3, [0]);
    await reader().deliver(0, records(0, 5, 9));
    await runner.flush();
    expect(store.statesAsked).toBeGreaterThan(0);
    expect(store.meta.get(0)).toMatchObject({ watermark: 9, events: 10 });
    const counter = defaultRegistry().get('counter')!;
    const stored = store.states.get(0)!.get(`${tabOn(0)}\u0000c`)!;
    expect((counter.render(counter.project(counter.deserialize(stored), now)) as { all: { count: number } }).all.count).toBe(10);
    await runner.stop();
  });

  it('mirrors offsets to ZooKeeper at most once a second, the last position always within it, and all of them at a stop', async () => {
    const { runner, reader, mirrored } = setup();
    await runner.start();
    await runner.assign(1, [0, 1]);
    const next = [0, 0];
    const deliver = async (p: number, n: number) => {
      await reader().deliver(p, records(p, next[p]!, next[p]! + n - 1));
      next[p]! += n;
    };
    const offsets = (from: number) => mirrored.slice(from).map(([p, offset]) => [p, offset]).sort((a, b) => a[0]! - b[0]!);
    await deliver(0, 10);
    await runner.flush();
    await sleep(5);
    // The first pass goes at once.
    expect(offsets(0)).toEqual([[0, 10]]);
    const firstAt = mirrored[0]![2];
    // Rounds within the second write Redis, not ZooKeeper.
    for (let i = 0; i < 6; i++) {
      await deliver(i % 2, 10);
      await runner.flush();
    }
    await sleep(5);
    expect(mirrored).toHaveLength(1);
    // Then the positions Redis holds by then, in one pass, a second after the first.
    await sleep(1_100);
    expect(offsets(1)).toEqual([[0, 40], [1, 30]]);
    for (const [, , at] of mirrored.slice(1)) expect(at - firstAt).toBeGreaterThanOrEqual(990);
    // A stop mirrors what is left at once.
    await deliver(1, 5);
    await runner.flush();
    const before = mirrored.length;
    await runner.stop();
    expect(offsets(before)).toEqual([[1, 35]]);
  });

  it('hands a partition over with every record it folded written, even while a round was in flight (hole 8)', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 9));
    const held = deferred();
    store.beforeWrite = () => held.promise;
    const inFlight = runner.flush(); // covers offsets 0..9
    await sleep(10);
    await reader().deliver(0, records(0, 10, 19)); // folded while that write is held
    const handOver = runner.assign(2, []);
    await sleep(10);
    store.beforeWrite = () => {};
    held.resolve();
    await inFlight;
    await handOver;
    expect(store.meta.get(0)).toMatchObject({ watermark: 19, events: 20 });
    await runner.stop();
  });

  it("counts each record's age when fetched, received, folded and queryable (once its checkpoint is written), and not queryable before", async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    const t = Date.now();
    const aged = (offset: number, ageMs: number): InputRecord => ({ ...counter(0, offset), timestamp: String(t - ageMs) });
    // Two records 2 s old, one 20 ms old and one with no timestamp (Kafka's -1): three counted.
    await reader().deliver(0, [aged(0, 2_000), aged(1, 2_000), aged(2, 20), { ...counter(0, 3), timestamp: '-1' }]);
    const latency = runner.metrics.get(0)!.latency;
    for (const stage of [latency.fetched, latency.received, latency.folded]) {
      expect(stage.count).toBe(3);
      expect(stage.sum).toBeGreaterThanOrEqual(4.02);
      expect(stage.sum).toBeLessThan(4.5);
    }
    expect(latency.queryable.count).toBe(0);
    // A write that fails leaves them not queryable; the one that succeeds counts them, once.
    store.beforeWrite = () => {
      throw new StateStoreUnavailableError('down');
    };
    await runner.flush();
    expect(latency.queryable.count).toBe(0);
    store.beforeWrite = () => {};
    await runner.flush();
    expect(latency.queryable.count).toBe(3);
    expect(latency.queryable.counts[0]).toBe(0); // none under 5 ms old
    expect(latency.queryable.sum).toBeGreaterThanOrEqual(4.02);
    await runner.stop();
  });

  it('pauses only the partition whose write fails, keeps the others going, releases it when Redis refuses it for good and takes it up again (hole 5)', async () => {
    const { store, runner, reader, consumers } = setup();
    await runner.start();
    await runner.assign(1, [0, 1]);
    let refusal: Error = new StateStoreUnavailableError('Redis unavailable (unit:1): Connection is closed');
    store.beforeWrite = (cp) => {
      if (cp.partition === 1) throw refusal;
    };
    await reader().deliver(0, records(0, 0, 4));
    await reader().deliver(1, records(1, 0, 4));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 4, events: 5 });
    expect([...reader().paused]).toEqual([1]);
    expect(runner.stalls.get(1)).toMatchObject({ kind: 'checkpoint_failed' });
    expect(runner.stalls.get(0)).toBeUndefined();

    // Partition 0 reads and checkpoints on meanwhile; partition 1's write is retriable: tried again, still held.
    await reader().deliver(0, records(0, 5, 9));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 9, events: 10 });
    expect(runner.tasks.has(1)).toBe(true);
    expect(runner.metrics.get(1)!.counters.get('checkpoints_failed')).toBe(2);

    // A refusal retrying will not fix releases the partition at once.
    refusal = new StateStoreError('Redis refused (unit:1): WRONGTYPE');
    await runner.flush();
    expect(runner.tasks.has(1)).toBe(false);
    expect(runner.stalls.get(1)).toMatchObject({ kind: 'checkpoint_failed' });

    // Redis takes writes again: the partition is taken up from Redis's watermark (it never wrote: -1).
    store.beforeWrite = () => {};
    const claims = store.claims;
    await sleep(1300);
    expect(store.claims).toBe(claims + 1);
    expect(runner.tasks.has(1)).toBe(true);
    const fresh = consumers[consumers.length - 1]!;
    expect(fresh.startOf(1)).toBe(0);
    expect(fresh.startOf(0)).toBe(10);
    await fresh.deliver(1, records(1, 0, 6));
    await runner.flush();
    expect(store.meta.get(1)).toMatchObject({ watermark: 6, events: 7 });
    expect(runner.stalls.entries()).toEqual([]);
    await runner.stop();
  });

  it('does not read the idle partitions back in a round whose write Redis did not take, and does once writes land again', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0, 1]);
    await reader().deliver(0, records(0, 0, 4));
    await reader().deliver(1, records(1, 0, 4));
    await runner.flush();
    let down = true;
    store.beforeWrite = (cp) => {
      if (down && cp.partition === 0) throw new StateStoreUnavailableError('Redis unavailable (unit:0): Command timed out');
    };
    await reader().deliver(0, records(0, 5, 9));
    const reads = store.positionReads;
    await runner.flush();
    expect(runner.stalls.get(0)).toMatchObject({ kind: 'checkpoint_failed' });
    // Partition 1 is idle: while Redis does not answer, its read-back would only wait out the timeout.
    expect(store.positionReads).toBe(reads);
    down = false;
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 9, events: 10 });
    await runner.flush();
    expect(store.positionReads).toBeGreaterThan(reads);
    await runner.stop();
  });

  it('backs off a failed write: rounds before its retry is due leave it alone, a hand-over writes it at once', async () => {
    const { store, runner, reader } = setup({ checkpointRetry: { initialMs: 400, maxMs: 400, jitter: 0 } });
    await runner.start();
    await runner.assign(1, [0]);
    let attempts = 0;
    let down = true;
    store.beforeWrite = () => {
      attempts++;
      if (down) throw new StateStoreUnavailableError('Redis unavailable (unit:0): Connection is closed');
    };
    await reader().deliver(0, records(0, 0, 4));
    await runner.flush();
    expect(attempts).toBe(1);
    await runner.flush();
    await runner.flush();
    expect(attempts).toBe(1); // not due yet
    await sleep(450);
    await runner.flush();
    expect(attempts).toBe(2);
    down = false;
    await runner.assign(2, []); // the hand-over's round does not wait for the backoff
    expect(attempts).toBe(3);
    expect(store.meta.get(0)).toMatchObject({ watermark: 4, events: 5 });
    await runner.stop();
  });

  it('never folds past a record it could not process: the partition is released and read again from Redis (hole 7)', async () => {
    const { store, outbox, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 2));
    await runner.flush();
    // A record whose processing throws out of the task (here: its dead letter cannot even be queued).
    const bad: InputRecord = { offset: '3', key: null, value: Buffer.from('not json'), timestamp: String(now) };
    outbox.push = () => {
      throw new Error('outbox broken');
    };
    await reader().deliver(0, [bad, ...records(0, 4, 6)]);
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 2, events: 3 }); // nothing past the record that failed
    expect(runner.stalls.get(0)).toMatchObject({ kind: 'record_failed' });
    outbox.push = (m) => void outbox.messages.push(m);
    await sleep(1300);
    expect(reader().startOf(0)).toBe(3);
    await reader().deliver(0, [bad, ...records(0, 4, 6)]);
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 6, events: 6 });
    expect(outbox.messages.map((m) => m.headers?.['tabstream-reason'])).toEqual(['bad-json']);
    await runner.stop();
  });

  it('names the bolt that threw in a processing-error dead letter, also for tuples held back for their states', async () => {
    const { store, outbox, runner, reader } = setup({ registry: registryWithFragile() });
    await runner.start();
    await runner.assign(1, [0]);
    const tab = tabOn(0);
    const fragile = (offset: number, value: number): InputRecord => ({ offset: String(offset), key: Buffer.from(tab), value: Buffer.from(JSON.stringify({ tab, type: 'fragile', value, time: now, client: 'c' })), timestamp: String(now) });
    await reader().deliver(0, [fragile(0, 1), fragile(1, 13), fragile(2, 2)]);
    await runner.flush();
    expect(outbox.messages.map((m) => [m.headers?.['tabstream-reason'], m.headers?.['tabstream-source'], m.headers?.['tabstream-component']])).toEqual([
      ['processing-error', 'tabs:0:1', 'fold'],
    ]);
    expect(store.meta.get(0)).toMatchObject({ watermark: 2, events: 2 });
    await runner.stop();
  });

  it('takes a fenced partition up again while it is still assigned here, and leaves it to a newer generation', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(3, [0]);
    await reader().deliver(0, records(0, 0, 4));
    // Another claim under the same generation (this worker's own id rejoining) took the token.
    await store.claim('unit', 0, 3);
    await runner.flush();
    await sleep(50);
    expect(runner.tasks.has(0)).toBe(true); // taken up again under a new claim
    expect(store.meta.get(0)).toMatchObject({ watermark: -1, events: 0 }); // the fenced write changed nothing
    await reader().deliver(0, records(0, 0, 4));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 4, events: 5 });

    // A newer generation claims it: the retake is refused, and the partition is reported as waiting for it.
    await store.claim('unit', 0, 4);
    await reader().deliver(0, records(0, 5, 6));
    await runner.flush();
    await sleep(50);
    expect(runner.tasks.has(0)).toBe(false);
    expect(runner.stalls.get(0)).toMatchObject({ kind: 'newer_assignment' });
    await runner.stop();
  });

  it('takes a partition up again from the watermark Redis kept when Redis lost its writes, and folds the lost records once more', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 9));
    await runner.flush();
    // Redis restarts from an older copy: the last write is gone.
    Object.assign(store.meta.get(0)!, { watermark: 4, events: 5, checkpoint: 'older' });
    await reader().deliver(0, records(0, 10, 11));
    await runner.flush();
    await sleep(50);
    expect(reader().startOf(0)).toBe(5);
    await reader().deliver(0, records(0, 5, 11));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 11, events: 12 });
    await runner.stop();
  });

  it('notices lost writes of a partition with nothing more to write, takes it up again and folds the lost records once more', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0, 1]);
    await reader().deliver(0, records(0, 0, 9));
    await reader().deliver(1, records(1, 0, 3));
    await runner.flush();
    // A failover to a replica that missed the last write; no record comes after it.
    Object.assign(store.meta.get(0)!, { watermark: 4, events: 5, checkpoint: 'older' });
    await runner.flush();
    await sleep(50);
    expect(reader().startOf(0)).toBe(5);
    expect(runner.metrics.get(0)?.counters.get('checkpoints_lost')).toBe(1);
    await reader().deliver(0, records(0, 5, 9));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 9, events: 10 });
    // The partition Redis kept as written was left alone.
    expect(store.meta.get(1)).toMatchObject({ watermark: 3, events: 4, token: 1 });
    await runner.stop();
  });

  it('applies a write once when its reply was lost and it is sent again', async () => {
    const { store, runner, reader } = setup();
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 4));
    let first = true;
    const real = store.write.bind(store);
    store.write = async (cp) => {
      const applied = await real(cp);
      if (first) {
        first = false;
        throw new Error('Command timed out'); // applied, but the worker never heard
      }
      return applied;
    };
    await runner.flush();
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 4, events: 5 });
    expect(runner.stalls.entries()).toEqual([]);
    await runner.stop();
  });
});
