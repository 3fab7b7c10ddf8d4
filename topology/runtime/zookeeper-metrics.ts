// A worker's ZooKeeper connection in /metrics, from its clients' events (the
// worker's `zookeeper` event, zk-client-events.ts): how many of each event,
// and the state the last one left the connection in.
import type { Registry } from 'prom-client';
import { ZK_CLIENT_EVENTS, ZK_CLIENT_STATES, ZK_STATE_AFTER, type ZkClientEventName, type ZkClientState } from '../coordination/zk-client-events';
import { scrapedCounter, scrapedGauge } from './scraped-metrics';
import type { WorkerEmitter } from './worker-events';

/** Registers the ZooKeeper metrics in `registry`, fed by `events` from now on. */
export function zookeeperMetrics(registry: Registry, events: WorkerEmitter): void {
  const counts = new Map<ZkClientEventName, number>(ZK_CLIENT_EVENTS.map((name) => [name, 0]));
  // Not connected until a client says so. Clients come one after another (a new one only once the last is closed or
  // expired), so the last event's state is the worker's.
  let state: ZkClientState = 'disconnected';
  events.on('zookeeper', ({ event }) => {
    counts.set(event, counts.get(event)! + 1);
    state = ZK_STATE_AFTER[event] ?? state;
  });
  scrapedCounter(registry, {
    name: 'tabstream_zookeeper_events_total',
    help: 'Events of the worker’s ZooKeeper clients (connected, disconnected, reconnecting, connect_timeout, server_silent, stream_garbled, session_expired, auth_failed, closed)',
    labelNames: ['event'],
    read: () => [...counts].map(([event, n]) => [{ event }, n]),
  });
  scrapedGauge(registry, {
    name: 'tabstream_zookeeper_state',
    help: 'The worker’s ZooKeeper connection: 1 for the state it is in (connected, disconnected, expired, auth_failed, closed), 0 for the others',
    labelNames: ['state'],
    read: () => ZK_CLIENT_STATES.map((s) => [{ state: s }, s === state ? 1 : 0]),
  });
}
