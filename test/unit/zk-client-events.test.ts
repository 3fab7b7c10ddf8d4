// The ZooKeeper client's lifecycle events without a ZooKeeper: what the
// library and the watchdog observe (ZkLifecycle's inputs) maps to the typed
// events; a worker's log lines and its /metrics are written from them.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ZK_CLIENT_EVENTS, ZK_CLIENT_STATES, ZK_STATE_AFTER, type ZkClientEvent, type ZkClientEventName, type ZkClientEvents } from '../../topology/coordination/zk-client-events';
import { ZkLifecycle } from '../../topology/coordination/zk-lifecycle';
import { WorkerEmitter, type WorkerZkEvent } from '../../topology/runtime/worker-events';
import { logWorkerEvents } from '../../topology/runtime/worker-log';
import { workerMetricsRegistry } from '../../topology/runtime/worker-metrics';
import { WorkingSet } from '../../contracts/working-set';
import type { Worker } from '../../topology/runtime/worker';
import { parsePrometheusText, sumOf } from '../support/prometheus-text';

const SESSION = '0123456789abcdef';

/** A lifecycle whose events land in `seen`, tagged as a Worker passes them on. */
function lifecycle() {
  const seen: ZkClientEvent[] = [];
  const life = new ZkLifecycle(<K extends ZkClientEventName>(name: K, ...[payload]: ZkClientEvents[K]) => {
    seen.push({ event: name, ...payload } as ZkClientEvent);
  }, () => SESSION);
  return { life, seen, names: () => seen.map((e) => e.event) };
}

describe('ZkLifecycle: what is observed, to typed events', () => {
  it('tells a first connection apart from the same session again, counting the attempts between', () => {
    const { life, seen, names } = lifecycle();
    life.attemptStarted(); // a first connect: connect()'s business, not a reconnection
    life.connected();
    expect(seen).toEqual([{ event: 'connected', session: SESSION, again: false }]);
    life.disconnected();
    life.disconnected(); // told once
    life.attemptStarted();
    life.attemptTimedOut(1_000);
    life.attemptStarted();
    life.connected();
    expect(names()).toEqual(['connected', 'disconnected', 'reconnecting', 'connect_timeout', 'reconnecting', 'connected']);
    expect(seen.filter((e) => e.event === 'reconnecting').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(seen.at(-1)).toEqual({ event: 'connected', session: SESSION, again: true });
    expect(life.state).toBe('connected');
    // A new loss counts its attempts from one again.
    life.disconnected();
    life.attemptStarted();
    expect(seen.at(-1)).toEqual({ event: 'reconnecting', session: SESSION, attempt: 1 });
  });

  it('tells a silent server once per connection, then the disconnection', () => {
    const { life, seen, names } = lifecycle();
    life.connected();
    life.serverSilent(2_100);
    life.serverSilent(2_200); // the next watchdog tick, the line not yet gone
    life.disconnected();
    life.serverSilent(2_300); // not connected: nothing to drop
    expect(names()).toEqual(['connected', 'server_silent', 'disconnected']);
    expect(seen[1]).toEqual({ event: 'server_silent', session: SESSION, silentMs: 2_100 });
    life.connected();
    life.serverSilent(2_000);
    expect(names().at(-1)).toBe('server_silent');
  });

  it('ends the session once, by the client or the server, and says nothing more but `closed`', () => {
    const { life, seen, names } = lifecycle();
    life.connected();
    life.disconnected();
    life.expired('client');
    expect(life.state).toBe('expired');
    expect(life.expiredBy).toBe('client');
    life.expired('server');
    life.connected();
    life.attemptStarted();
    life.serverSilent(1);
    life.attemptTimedOut(1);
    expect(life.closing()).toBe(true);
    life.closed();
    expect(life.closing()).toBe(false); // a second close() does nothing
    expect(names()).toEqual(['connected', 'disconnected', 'session_expired', 'closed']);
    expect(seen[2]).toEqual({ event: 'session_expired', session: SESSION, by: 'client' });

    const server = lifecycle();
    server.life.connected();
    server.life.expired('server');
    expect(server.seen.at(-1)).toEqual({ event: 'session_expired', session: SESSION, by: 'server' });
  });

  it('tells refused credentials, and a close while connected hears no disconnection', () => {
    const refused = lifecycle();
    refused.life.connected();
    refused.life.authFailed();
    refused.life.disconnected();
    expect(refused.names()).toEqual(['connected', 'auth_failed']);
    expect(refused.life.state).toBe('auth_failed');

    const closed = lifecycle();
    closed.life.connected();
    closed.life.closing();
    closed.life.disconnected(); // the library's, as the server closes the socket
    closed.life.closed();
    expect(closed.names()).toEqual(['connected', 'closed']);
    expect(closed.life.state).toBe('closed');
  });

  it('reaches every state it reports by some event, and reports no other', () => {
    const reached = new Set(Object.values(ZK_STATE_AFTER).filter((state) => state !== null));
    expect([...reached].sort()).toEqual([...ZK_CLIENT_STATES].sort());
  });
});

/** A pino logger at `level` whose lines land in `lines` (parsed). */
function capturedLog(level: string) {
  const lines: Array<{ msg: string; level: number; [k: string]: unknown }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}

const zk = (event: ZkClientEvent, member = true): WorkerZkEvent => ({ ...event, member });

describe('a worker’s log and /metrics from its ZooKeeper clients’ events', () => {
  it('logs the member’s connection going and coming back in the words the fault tests read, and the rest at debug', () => {
    const events = new WorkerEmitter();
    const { log, lines } = capturedLog('info');
    logWorkerEvents(events, log);
    events.emit('zookeeper', zk({ event: 'connected', session: SESSION, again: false }, false)); // a client joining: `joined` says it
    events.emit('zookeeper', zk({ event: 'server_silent', session: SESSION, silentMs: 2_000 }));
    events.emit('zookeeper', zk({ event: 'disconnected', session: SESSION }));
    events.emit('zookeeper', zk({ event: 'reconnecting', session: SESSION, attempt: 1 }));
    events.emit('zookeeper', zk({ event: 'stream_garbled', session: SESSION, error: 'offset: 20 is out of buffer range.' }));
    events.emit('zookeeper', zk({ event: 'connect_timeout', session: SESSION, afterMs: 1_000 }));
    events.emit('zookeeper', zk({ event: 'connected', session: SESSION, again: true }));
    events.emit('zookeeper', zk({ event: 'disconnected', session: SESSION }, false)); // a client the worker left
    events.emit('zookeeper', zk({ event: 'session_expired', session: SESSION, by: 'client' })); // session_lost's line
    events.emit('zookeeper', zk({ event: 'closed', session: SESSION }, false));
    expect(lines.map((l) => l.msg)).toEqual([
      'ZooKeeper silent: dropping the connection and reconnecting',
      'ZooKeeper unreachable: folding and checkpointing to Redis go on; offsets and coordination wait',
      'ZooKeeper answer unreadable: dropping the connection and reconnecting',
      'ZooKeeper answers again: same session, carrying on',
    ]);
    expect(lines.map((l) => l.session)).toEqual([SESSION, SESSION, SESSION, SESSION]);
    expect(lines[0]).toMatchObject({ silentMs: 2_000, level: 40 });
    expect(lines[2]).toMatchObject({ error: 'offset: 20 is out of buffer range.', level: 40 });

    const debug = capturedLog('debug');
    logWorkerEvents(events, debug.log);
    events.emit('zookeeper', zk({ event: 'reconnecting', session: SESSION, attempt: 3 }));
    expect(debug.lines).toEqual([expect.objectContaining({ msg: 'ZooKeeper client: reconnecting', attempt: 3, member: true })]);
  });

  it('counts every event and gauges the state the last one left', async () => {
    const events = new WorkerEmitter();
    const worker = { id: 'w1', events, workingSet: new WorkingSet(1_000), isLeader: false } as unknown as Worker;
    const registry = workerMetricsRegistry(worker);
    const scrape = async () => parsePrometheusText(await registry.metrics());
    const state = async () => {
      const m = await scrape();
      return ['connected', 'disconnected', 'expired', 'auth_failed', 'closed'].filter((s) => sumOf(m, 'tabstream_zookeeper_state', { state: s }) === 1);
    };

    const before = await scrape();
    for (const event of ZK_CLIENT_EVENTS) expect(sumOf(before, 'tabstream_zookeeper_events_total', { event })).toBe(0);
    expect(await state()).toEqual(['disconnected']);

    events.emit('zookeeper', zk({ event: 'connected', session: SESSION, again: false }, false));
    expect(await state()).toEqual(['connected']);
    events.emit('zookeeper', zk({ event: 'server_silent', session: SESSION, silentMs: 2_000 }));
    events.emit('zookeeper', zk({ event: 'disconnected', session: SESSION }));
    events.emit('zookeeper', zk({ event: 'reconnecting', session: SESSION, attempt: 1 }));
    events.emit('zookeeper', zk({ event: 'reconnecting', session: SESSION, attempt: 2 }));
    events.emit('zookeeper', zk({ event: 'stream_garbled', session: SESSION, error: 'offset: 20 is out of buffer range.' }));
    expect(await state()).toEqual(['disconnected']);
    events.emit('zookeeper', zk({ event: 'session_expired', session: SESSION, by: 'client' }));
    expect(await state()).toEqual(['expired']);
    events.emit('zookeeper', zk({ event: 'closed', session: SESSION }, false));
    expect(await state()).toEqual(['closed']);
    events.emit('zookeeper', zk({ event: 'connected', session: 'fedcba9876543210', again: false }, false));
    expect(await state()).toEqual(['connected']);

    const after = await scrape();
    const counts = Object.fromEntries(ZK_CLIENT_EVENTS.map((event) => [event, sumOf(after, 'tabstream_zookeeper_events_total', { event })]));
    expect(counts).toEqual({ connected: 2, disconnected: 1, reconnecting: 2, connect_timeout: 0, server_silent: 1, stream_garbled: 1, session_expired: 1, auth_failed: 0, closed: 1 });
  });
});
