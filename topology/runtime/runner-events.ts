// What a TopologyRunner tells whoever listens (after KafkaJS's instrumentation
// events): typed lifecycle events of its partitions and its reader. The
// runner's log lines (runner-log.ts) and a worker's /metrics
// (worker-metrics.ts) subscribe to them; the runner itself keeps no state for
// them. The per-record counters stay in TaskMetrics (an event per record
// would cost the hot path), which `took_up` hands over to listeners.
import { EventEmitter } from 'node:events';
import type { StallKind } from './partition-stalls';
import type { TaskMetrics } from './task-metrics';

export interface TookUp {
  partition: number;
  generation: number;
  /** The fencing token of the claim. */
  token: number;
  /** Redis's watermark: the task reads on from the next offset. */
  watermark: number;
  dedupBuckets: number;
  /** The task's counters and gauges (the same object across take-ups of one partition in one runner). */
  metrics: TaskMetrics;
}

export interface HandedOver {
  partition: number;
  generation: number;
  /**
   * `reassigned`: an assignment gave it to another worker; `newer_assignment`:
   * a newer generation claimed it in Redis before its assignment got here.
   */
  reason: 'reassigned' | 'newer_assignment';
  /** A checkpoint Redis did not take was dropped (the next owner replays from the watermark). */
  pendingDropped: boolean;
}

export interface Running {
  generation: number;
  partitions: number[];
  /** How long each step of applying the assignment took. */
  ms: { stopAndFlush: number; claim: number; takeUp: number; startConsumer: number };
}

export interface Checkpointed {
  partition: number;
  watermark: number;
  /** Events the write folded in. */
  events: number;
  flushedAt: number;
  /** How long the write to Redis took. */
  seconds: number;
}

export interface Fenced {
  partition: number;
  /** This owner's token, and the newer one Redis holds. */
  token: number;
  newer: number;
}

export interface StateLost {
  partition: number;
  message: string;
}

/** A partition stopped working here (its task dropped); while assigned here it is taken up again after `retakeInMs`. */
export interface Released {
  partition: number;
  kind: StallKind;
  reason: string;
  /** null: not taken up again (no longer assigned here, or the runner stops). */
  retakeInMs: number | null;
}

export interface Stalled {
  partition: number;
  kind: StallKind;
  reason: string;
  since: number;
  /** No other partition of the runner was stalled. */
  first: boolean;
}

export interface Resumed {
  partition: number;
  /** No partition of the runner stalls any more; with how long some did. */
  last: boolean;
  stalledMs: number;
}

export interface MirrorBehind {
  reason: string;
  since: number;
}

export interface ConsumerStopped {
  reason: string;
}

/** Every event a runner emits, and its payload. */
export interface RunnerEvents {
  took_up: [TookUp];
  handed_over: [HandedOver];
  running: [Running];
  checkpoint: [Checkpointed];
  fenced: [Fenced];
  state_lost: [StateLost];
  released: [Released];
  stalled: [Stalled];
  resumed: [Resumed];
  /** ZooKeeper's mirror of the offsets fell behind Redis, and caught up. */
  mirror_behind: [MirrorBehind];
  mirror_caught_up: [{ behindMs: number }];
  /** The Kafka reader showed no life (or none could start): it is replaced. */
  consumer_stopped: [ConsumerStopped];
  consumer_replaced: [];
}

export type RunnerEventName = keyof RunnerEvents;

/** Emits one event (what the runner hands its parts that report events). */
export type Notify = <K extends RunnerEventName>(name: K, ...args: RunnerEvents[K]) => void;

/** A runner's emitter: `on`, `off` and `emit` typed by RunnerEvents. */
export class RunnerEmitter extends EventEmitter<RunnerEvents> {
  /**
   * Emits to every listener; one that throws is reported to `onListenerError`
   * and the rest still hear it: a listener's bug never breaks the runner.
   */
  notify<K extends RunnerEventName>(name: K, onListenerError: (err: unknown) => void, ...args: RunnerEvents[K]): void {
    // rawListeners: a `once` listener is removed as it is called.
    for (const listener of this.rawListeners(name) as Array<(...a: RunnerEvents[K]) => void>) {
      try {
        listener(...args);
      } catch (err) {
        onListenerError(err);
      }
    }
  }
}
