// What a Worker tells whoever listens: its ZooKeeper membership and the
// runners it starts and stops (whose own events are in runner-events.ts).
// Its log lines (worker-log.ts) and its /metrics (worker-metrics.ts) subscribe.
import { EventEmitter } from 'node:events';
import type { TopologyRunner } from './topology-runner';

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
}

export class WorkerEmitter extends EventEmitter<WorkerEvents> {}
