// The runner's lifecycle events on fakes in memory: what it emits on take-up,
// checkpoint, hand-over, fencing, stalls and a stopped reader, the log lines
// written from them, and a listener that throws not breaking the runner.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StateStoreUnavailableError } from '../../state/errors';
import type { RunnerEvents } from '../../topology/runtime/runner-events';
import type { TopologyRunner } from '../../topology/runtime/topology-runner';
import { records, setup, sleep } from '../support/runner-fakes';

const NAMES: Array<keyof RunnerEvents> = [
  'took_up', 'handed_over', 'running', 'checkpoint', 'fenced', 'state_lost', 'released', 'stalled', 'resumed',
  'mirror_behind', 'mirror_caught_up', 'consumer_stopped', 'consumer_replaced',
];

/** Every event the runner emits from now on, in order, as [name, payload]. */
function recorded(runner: TopologyRunner): Array<[string, Record<string, unknown>]> {
  const seen: Array<[string, Record<string, unknown>]> = [];
  for (const name of NAMES) runner.events.on(name, ((payload?: Record<string, unknown>) => seen.push([name, payload ?? {}])) as never);
  return seen;
}
const named = (seen: Array<[string, Record<string, unknown>]>, name: string) => seen.filter(([n]) => n === name).map(([, p]) => p);

/** A pino logger whose lines land in `lines` (parsed). */
function capturedLog() {
  const lines: Array<{ msg: string; [k: string]: unknown }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('TopologyRunner events', () => {
  it('tells take-ups (with the task metrics), a running generation, checkpoints and hand-overs', async () => {
    const { runner, reader } = setup();
    const seen = recorded(runner);
    await runner.start();
    await runner.assign(1, [0, 1]);
    expect(named(seen, 'took_up').map((e) => e.partition).sort()).toEqual([0, 1]);
    expect(named(seen, 'took_up')[0]).toMatchObject({ generation: 1, token: 1, watermark: -1 });
    // The metrics a listener gets are the task's own: what the task counts later shows there.
    const tookUp0 = named(seen, 'took_up').find((e) => e.partition === 0)!;
    expect(tookUp0.metrics).toBe(runner.metrics.get(0));
    expect(named(seen, 'running')).toEqual([expect.objectContaining({ generation: 1, partitions: [0, 1] })]);

    await reader().deliver(0, records(0, 0, 4));
    await runner.flush();
    expect(named(seen, 'checkpoint')).toEqual([expect.objectContaining({ partition: 0, watermark: 4, events: 5 })]);
    expect(named(seen, 'checkpoint')[0]!.seconds).toBeGreaterThanOrEqual(0);

    seen.length = 0;
    await runner.assign(2, [0]);
    expect(seen.map(([n, p]) => [n, p.partition])).toEqual([
      ['handed_over', 1],
      ['running', undefined],
    ]);
    expect(named(seen, 'handed_over')[0]).toEqual({ partition: 1, generation: 2, reason: 'reassigned', pendingDropped: false });
    await runner.stop();
  });

  it('tells a fencing, the release and the take-up again; a newer generation hands the partition over', async () => {
    const { store, runner, reader } = setup();
    const seen = recorded(runner);
    await runner.start();
    await runner.assign(3, [0]);
    await reader().deliver(0, records(0, 0, 4));
    await store.claim('unit', 0, 3); // another claim under the same generation took the token
    seen.length = 0;
    await runner.flush();
    await sleep(50);
    expect(seen.map(([n]) => n)).toEqual(['fenced', 'stalled', 'released', 'resumed', 'took_up']);
    expect(named(seen, 'fenced')[0]).toEqual({ partition: 0, token: 1, newer: 2 });
    expect(named(seen, 'released')[0]).toMatchObject({ partition: 0, kind: 'fenced', retakeInMs: 0 });
    expect(named(seen, 'stalled')[0]).toMatchObject({ partition: 0, kind: 'fenced', first: true });
    expect(named(seen, 'resumed')[0]).toMatchObject({ partition: 0, last: true });

    // A newer generation claims it: the runner no longer runs it, so it is handed over (its metrics go).
    await store.claim('unit', 0, 4);
    await reader().deliver(0, records(0, 0, 1));
    seen.length = 0;
    await runner.flush();
    await sleep(50);
    expect(named(seen, 'handed_over')).toEqual([{ partition: 0, generation: 4, reason: 'newer_assignment', pendingDropped: false }]);
    expect(runner.metrics.has(0)).toBe(false);
    await runner.stop();
  });

  it('tells stalls per partition, with the first and the last of the runner marked', async () => {
    const { store, runner, reader } = setup();
    const seen = recorded(runner);
    await runner.start();
    await runner.assign(1, [0, 1]);
    let down = true;
    store.beforeWrite = () => {
      if (down) throw new StateStoreUnavailableError('Redis unavailable (unit): Connection is closed');
    };
    await reader().deliver(0, records(0, 0, 1));
    await reader().deliver(1, records(1, 0, 1));
    await runner.flush();
    await runner.flush(); // a retry changes nothing: no new event
    expect(named(seen, 'stalled').map((e) => [e.partition, e.kind, e.first])).toEqual([
      [0, 'checkpoint_failed', true],
      [1, 'checkpoint_failed', false],
    ]);
    down = false;
    await runner.flush();
    expect(named(seen, 'resumed').map((e) => [e.partition, e.last])).toEqual([
      [0, false],
      [1, true],
    ]);
    await runner.stop();
  });

  it('tells a reader that stopped fetching, and its replacement', async () => {
    const { runner, reader, consumers } = setup();
    const seen = recorded(runner);
    await runner.start();
    await runner.assign(1, [0]);
    reader().lastActivityAt = Date.now() - 60_000;
    await sleep(1_300); // the watchdog looks every second
    expect(named(seen, 'consumer_stopped')[0]!.reason).toMatch(/showed no life/);
    expect(named(seen, 'consumer_replaced')).toHaveLength(1);
    expect(consumers).toHaveLength(2);
    expect(consumers[0]!.stopped).toBe(true);
    await runner.stop();
  });

  it('writes its log lines from the events, in the words operators and the fault tests read', async () => {
    const { log, lines } = capturedLog();
    const { store, runner, reader } = setup({ log });
    await runner.start();
    await runner.assign(1, [0, 1]);
    await reader().deliver(0, records(0, 0, 1));
    await store.claim('unit', 0, 1);
    await runner.flush();
    await sleep(50);
    await runner.assign(2, [0]);
    const said = lines.map((l) => l.msg);
    expect(said.filter((m) => m === 'took up')).toHaveLength(3); // 0 and 1, then 0 again after the fencing
    expect(said).toContain('fenced: a newer claim holds the partition');
    expect(said).toContain('checkpoints stalled');
    expect(said).toContain('checkpoints resumed');
    expect(lines.filter((l) => l.msg === 'handed over')).toEqual([expect.objectContaining({ partition: 1, generation: 2 })]);
    expect(lines.filter((l) => l.msg === 'running').map((l) => l.generation)).toEqual([1, 2]);
    await runner.stop();
  });

  it('goes on when a listener throws, and logs it', async () => {
    const { log, lines } = capturedLog();
    const { store, runner, reader } = setup({ log });
    const heard: number[] = [];
    runner.events.on('checkpoint', () => {
      throw new Error('listener bug');
    });
    runner.events.on('checkpoint', (e) => heard.push(e.watermark));
    await runner.start();
    await runner.assign(1, [0]);
    await reader().deliver(0, records(0, 0, 2));
    await runner.flush();
    expect(store.meta.get(0)).toMatchObject({ watermark: 2, events: 3 });
    expect(heard).toEqual([2]);
    expect(lines.find((l) => l.msg === 'a listener of the runner failed')).toMatchObject({ event: 'checkpoint', err: 'listener bug' });
    await runner.stop();
  });
});
