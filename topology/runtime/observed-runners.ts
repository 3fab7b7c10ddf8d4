// What a worker's /metrics knows of its runners, kept from their events
// (worker-events.ts, runner-events.ts) rather than read from the runners'
// fields at scrape time. A partition handed over leaves at once, with every
// series of it: the old owner stops reporting it the moment the new owner may
// start (no partition counted twice by sum()).
import type { StallKind } from './partition-stalls';
import type { TaskMetrics } from './task-metrics';
import type { WorkerEmitter } from './worker-events';
import type { RunnerEmitter, RunnerEvents } from './runner-events';

/** One partition of one topology, as this worker last heard of it. */
export interface ObservedPartition {
  /** Its task's counters and gauges (from its take-up on). */
  metrics: TaskMetrics | null;
  /** When its last checkpoint was written. */
  lastFlushAt: number | null;
  /** Why it does not move, and since when; null when it moves. */
  stall: { kind: StallKind; since: number } | null;
}

export interface ObservedTopology {
  /** The last assignment generation fully applied; -1 until the first. */
  generation: number;
  /** Partitions with a running task. */
  running: Set<number>;
  partitions: Map<number, ObservedPartition>;
  /** Since when ZooKeeper's offset mirror has been behind Redis; null when caught up. */
  mirrorBehindSince: number | null;
  /** Times the Kafka reader was found stopped and replaced. */
  readerStops: number;
}

/**
 * Follows a worker's runners. Subscribe before the worker starts: a runner
 * already running when this is made is not seen.
 */
export class ObservedRunners {
  readonly topologies = new Map<string, ObservedTopology>();
  private readonly unsubscribe = new Map<string, () => void>();

  /** `onCheckpoint`: each checkpoint write's duration, as it happens (a histogram observes it). */
  constructor(
    worker: WorkerEmitter,
    private readonly onCheckpoint: (topology: string, seconds: number) => void = () => {},
  ) {
    worker.on('runner_started', ({ topology, runner }) => this.follow(topology, runner.events));
    worker.on('runner_stopped', ({ topology }) => {
      this.unsubscribe.get(topology)?.();
      this.unsubscribe.delete(topology);
      this.topologies.delete(topology);
    });
  }

  private follow(topology: string, events: RunnerEmitter): void {
    this.unsubscribe.get(topology)?.();
    const t: ObservedTopology = { generation: -1, running: new Set(), partitions: new Map(), mirrorBehindSince: null, readerStops: 0 };
    this.topologies.set(topology, t);
    const partition = (p: number): ObservedPartition => {
      let o = t.partitions.get(p);
      if (o === undefined) t.partitions.set(p, (o = { metrics: null, lastFlushAt: null, stall: null }));
      return o;
    };
    const listeners: { [K in keyof RunnerEvents]?: (...args: RunnerEvents[K]) => void } = {
      took_up: (e) => {
        partition(e.partition).metrics = e.metrics;
        t.running.add(e.partition);
      },
      released: (e) => void t.running.delete(e.partition),
      handed_over: (e) => {
        t.running.delete(e.partition);
        t.partitions.delete(e.partition);
      },
      running: (e) => void (t.generation = e.generation),
      checkpoint: (e) => {
        partition(e.partition).lastFlushAt = e.flushedAt;
        this.onCheckpoint(topology, e.seconds);
      },
      stalled: (e) => void (partition(e.partition).stall = { kind: e.kind, since: e.since }),
      resumed: (e) => {
        const o = t.partitions.get(e.partition);
        if (o === undefined) return;
        o.stall = null;
        // A partition that only ever stalled here (never taken up) leaves nothing behind.
        if (o.metrics === null && o.lastFlushAt === null) t.partitions.delete(e.partition);
      },
      mirror_behind: (e) => void (t.mirrorBehindSince = e.since),
      mirror_caught_up: () => void (t.mirrorBehindSince = null),
      consumer_stopped: () => void t.readerStops++,
    };
    const entries = Object.entries(listeners) as Array<[keyof RunnerEvents, (...args: never[]) => void]>;
    for (const [name, listener] of entries) events.on(name, listener as never);
    this.unsubscribe.set(topology, () => {
      for (const [name, listener] of entries) events.off(name, listener as never);
    });
  }
}
