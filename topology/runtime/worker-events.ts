// What a Worker tells whoever listens: its ZooKeeper membership, its
// ZooKeeper clients' connection and session (zk-client-events.ts), and the
// runners it starts and stops (whose own events are in runner-events.ts).
// Its log lines (worker-log.ts) and its /metrics (worker-metrics.ts) subscribe.
import { EventEmitter } from 'node:events';
import type { ZkClientEvent } from '../coordination/zk-client-events';
import type { TopologyRunner } from './topology-runner';

/**
 * An event of one of the worker's ZooKeeper clients, with whether that client
 * holds its membership (`member`: false for one still joining, or one the
 * worker left after its session ended).
 */
export type WorkerZkEvent = ZkClientEvent & { member: boolean };

export interface WorkerEvents {
  /** A runner of `topology` started: subscribe to its events now, before it takes partitions up. */
  runner_started: [{ topology: string; runner: TopologyRunner }];
  /** A runner left (it drains after this): every series of it goes. */
  runner_stopped: [{ topology: string; runner: TopologyRunner }];
  /** Registered in ZooKeeper with a new session. */
  joined: [{ zk: string; session: string }];
  /** The session ended (`by` the server or the client's own clock) or its credentials were refused (`refused`, the reason). */
  session_lost: [{ session: string; by: string | null; refused: string | null }];
  elected_leader: [];
  /** Every event of every ZooKeeper client the worker opens, from before it connects. */
  zookeeper: [WorkerZkEvent];
}

export class WorkerEmitter extends EventEmitter<WorkerEvents> {}
