import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Topology } from '../dsl';
import type { HandlerRegistry } from '../../bolts/handlers/registry';
import type { RedisStateStore, PartitionCheckpoint } from '../../state/redis-state-store';
import { FencedError } from '../../state/errors';
import type { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { AssignedConsumer } from '../../spouts/assigned-consumer';
import { KafkaOutbox } from './kafka-outbox';
import { TopologyTask, type TaskInput } from './topology-task';
import { TaskMetrics } from './task-metrics';

export interface RunnerDeps {
  kafka: Kafka;
  store: RedisStateStore;
  offsets: ZkOffsetStore;
  registry: HandlerRegistry;
  topology: Topology;
  partitions: number;
  workerId: string;
  flushIntervalMs: number;
  /** The version of the deployed spec this runner runs. */
  specVersion: number;
  log: Logger;
}

interface Unwritten {
  task: TopologyTask;
  checkpoint: PartitionCheckpoint;
  commits: TaskInput[];
  /** The Redis write succeeded; only the ZooKeeper commit is left to retry. */
  written?: boolean;
}

/**
 * Runs the tasks of one topology that this worker owns, and the checkpoint
 * protocol for each: fold in memory; every flush interval drain the outbox
 * (forwards and dead letters of the covered records), write each dirty
 * partition's checkpoint to Redis in one fenced step, and only then commit
 * the next offsets to ZooKeeper. A write that fails is retried as it was,
 * before any newer one, with consumption paused meanwhile (back-pressure).
 */
export class TopologyRunner {
  readonly tasks = new Map<number, TopologyTask>();
  readonly metrics = new Map<number, TaskMetrics>();
  /** The epoch checkpoints carry: the generation being applied or in force. */
  private epoch = -1;
  /** The last generation fully applied (claimed, taken up, reading). */
  private applied = -1;
  private consumer: AssignedConsumer | null = null;
  private readonly outbox: KafkaOutbox;
  private unwritten: Unwritten[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private stopped = false;
  /** Time of the last successful flush per task, for status. */
  readonly lastFlush = new Map<number, number>();
  /**
   * Seconds each checkpoint write and commit took, not yet read by /metrics
   * (which drains it at scrape time, keeping prom-client off this path).
   * Bounded: with nobody scraping, the oldest stop being recorded.
   */
  readonly checkpointSeconds: number[] = [];

  constructor(private readonly deps: RunnerDeps) {
    this.outbox = new KafkaOutbox(deps.kafka);
  }

  get generation(): number {
    return this.applied;
  }

  get specVersion(): number {
    return this.deps.specVersion;
  }

  async start(): Promise<void> {
    await this.outbox.connect();
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.deps.flushIntervalMs);
  }

  /**
   * Moves to assignment `generation`: hands over the tasks that left this
   * worker (flushed and committed first), claims the rest under the new
   * epoch, takes up the new ones from Redis and ZooKeeper, and reads on.
   */
  async assign(generation: number, partitions: number[]): Promise<void> {
    const { store, topology, log } = this.deps;
    const t0 = Date.now();
    await this.stopConsumer();
    const t1 = Date.now();
    await this.flush();
    const t2 = Date.now();
    const wanted = new Set(partitions);
    for (const index of [...this.tasks.keys()]) {
      if (!wanted.has(index)) {
        this.tasks.delete(index);
        log.info({ partition: index, generation }, 'handed over');
      }
    }
    this.epoch = generation;
    // Claim every partition under the new epoch first (fencing the previous owners), then
    // take the new ones up; partitions are independent, so all of it runs concurrently.
    await Promise.all(partitions.map((index) => store.claim(topology.name, index, generation)));
    const t3 = Date.now();
    await Promise.all(partitions.filter((index) => !this.tasks.has(index)).map((index) => this.takeUp(index, generation)));
    const t4 = Date.now();
    await this.startConsumer();
    this.applied = generation;
    const t5 = Date.now();
    log.info(
      { generation, partitions, ms: { stopConsumer: t1 - t0, flush: t2 - t1, claim: t3 - t2, takeUp: t4 - t3, startConsumer: t5 - t4 } },
      'running',
    );
  }

  /** Loads a partition's state from Redis and its offsets from ZooKeeper, and starts a task on it. */
  private async takeUp(index: number, generation: number): Promise<void> {
    const { store, offsets, topology, log } = this.deps;
    const metrics = this.metrics.get(index) ?? new TaskMetrics();
    this.metrics.set(index, metrics);
    const task = new TopologyTask(
      topology,
      index,
      this.deps.partitions,
      this.deps.registry,
      this.outbox,
      metrics,
      `${topology.spout.definition.topic}.dlq`,
    );
    const loaded = await store.load(topology.name, index);
    const committed = new Map<string, number | null>();
    for (const input of task.inputTopics()) {
      committed.set(input.topic, await offsets.get(topology.name, input.topic, input.partition));
    }
    task.restore(loaded, committed);
    this.tasks.set(index, task);
    log.info({ partition: index, generation, watermark: loaded.watermark, states: loaded.states.length }, 'took up');
  }

  /** One checkpoint round; concurrent callers share it. */
  flush(): Promise<void> {
    if (this.flushing === null) {
      this.flushing = this.checkpointRound().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  /** Drains: stops reading, writes and commits everything folded so far. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.stopConsumer();
    await this.flush();
    if (this.unwritten.length > 0) await this.flush();
    await this.outbox.close();
  }

  private async checkpointRound(): Promise<void> {
    const now = Date.now();
    if (this.unwritten.length === 0) {
      for (const task of this.tasks.values()) {
        const taken = task.checkpoint(this.epoch, now);
        if (taken !== null) this.unwritten.push({ task, ...taken });
      }
    }
    if (this.unwritten.length === 0) return;
    try {
      await this.outbox.drain();
      const results = await Promise.allSettled(this.unwritten.map((u) => this.writeAndCommit(u)));
      const failed: Unwritten[] = [];
      results.forEach((r, i) => {
        const u = this.unwritten[i]!;
        if (r.status === 'fulfilled') return;
        this.metrics.get(u.task.index)?.count(r.reason instanceof FencedError ? 'checkpoints_fenced' : 'checkpoints_failed');
        if (r.reason instanceof FencedError) {
          // Another worker owns this partition now: stop folding it; its state is theirs.
          this.tasks.delete(u.task.index);
          this.deps.log.warn({ partition: u.task.index, epoch: this.epoch }, 'fenced: partition lost to a newer owner');
          return;
        }
        failed.push(u);
      });
      this.unwritten = failed;
      if (failed.length > 0) throw (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      this.setPaused(false);
    } catch (err) {
      this.setPaused(true);
      this.deps.log.warn({ err: (err as Error).message, pending: this.unwritten.length }, 'checkpoint failed; retrying');
      throw err;
    }
  }

  private async writeAndCommit(u: Unwritten): Promise<void> {
    const started = performance.now();
    const metrics = this.metrics.get(u.task.index);
    if (!u.written) {
      await this.deps.store.write(u.checkpoint);
      u.written = true;
      metrics?.count('events_folded', u.checkpoint.eventsDelta);
    }
    for (const c of u.commits) {
      await this.deps.offsets.commit(this.deps.topology.name, c.topic, c.partition, c.watermark + 1);
    }
    this.lastFlush.set(u.task.index, u.checkpoint.flushedAt);
    metrics?.count('checkpoints_written');
    if (this.checkpointSeconds.length < MAX_UNREAD_DURATIONS) this.checkpointSeconds.push((performance.now() - started) / 1000);
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused || this.consumer === null) return;
    this.paused = paused;
    if (paused) this.consumer.pause();
    else this.consumer.resume();
  }

  private async startConsumer(): Promise<void> {
    if (this.stopped) return;
    const position = (i: TaskInput): number => Math.max(i.start, i.watermark + 1);
    const partitions = [...this.tasks.values()].flatMap((task) =>
      [...task.inputs.values()].map((i) => ({ topic: i.topic, partition: i.partition, start: position(i) })),
    );
    this.consumer = new AssignedConsumer(this.deps.kafka, {
      groupPrefix: `tabstream.${this.deps.topology.name}.${this.deps.workerId}`,
      partitions,
      onBatch: (topic, partition, messages) => this.onBatch(topic, partition, messages),
      positionOf: (topic, partition) => {
        const input = this.tasks.get(partition)?.inputs.get(topic);
        return input === undefined ? undefined : position(input);
      },
    });
    this.paused = false;
    await this.consumer.start();
  }

  private async stopConsumer(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    if (c !== null) await c.stop();
  }

  /**
   * Folds a fetched batch in slices, giving the event loop back between them,
   * so ZooKeeper pings, watches and the flush timer are never starved by a
   * large batch (a starved ping can cost the worker its session).
   */
  private async onBatch(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    for (let from = 0; from < messages.length; from += BATCH_SLICE) {
      const task = this.tasks.get(partition);
      if (task === undefined) return;
      const to = Math.min(messages.length, from + BATCH_SLICE);
      for (let i = from; i < to; i++) task.process(topic, messages[i]!);
      if (to < messages.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** Records folded between two turns of the event loop. */
const BATCH_SLICE = 200;

/** Checkpoint durations kept for the next /metrics scrape at most. */
const MAX_UNREAD_DURATIONS = 10_000;
