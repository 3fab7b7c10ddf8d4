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
  log: Logger;
}

interface Unwritten {
  task: TopologyTask;
  checkpoint: PartitionCheckpoint;
  commits: TaskInput[];
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
  private epoch = -1;
  private consumer: AssignedConsumer | null = null;
  private readonly outbox: KafkaOutbox;
  private unwritten: Unwritten[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private stopped = false;
  /** Time of the last successful flush per task, for status. */
  readonly lastFlush = new Map<number, number>();

  constructor(private readonly deps: RunnerDeps) {
    this.outbox = new KafkaOutbox(deps.kafka);
  }

  get generation(): number {
    return this.epoch;
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
    const { store, offsets, topology, log } = this.deps;
    await this.stopConsumer();
    await this.flush();
    const wanted = new Set(partitions);
    for (const index of [...this.tasks.keys()]) {
      if (!wanted.has(index)) {
        this.tasks.delete(index);
        log.info({ partition: index, generation }, 'handed over');
      }
    }
    this.epoch = generation;
    for (const index of partitions) {
      await store.claim(topology.name, index, generation);
      if (this.tasks.has(index)) continue;
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
    await this.startConsumer();
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
    await this.deps.store.write(u.checkpoint);
    for (const c of u.commits) {
      await this.deps.offsets.commit(this.deps.topology.name, c.topic, c.partition, c.watermark + 1);
    }
    this.lastFlush.set(u.task.index, u.checkpoint.flushedAt);
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused || this.consumer === null) return;
    this.paused = paused;
    if (paused) this.consumer.pause();
    else this.consumer.resume();
  }

  private async startConsumer(): Promise<void> {
    if (this.stopped) return;
    const partitions = [...this.tasks.values()].flatMap((task) =>
      [...task.inputs.values()].map((i) => ({ topic: i.topic, partition: i.partition, start: Math.max(i.start, i.watermark + 1) })),
    );
    this.consumer = new AssignedConsumer(this.deps.kafka, {
      groupPrefix: `tabstream.${this.deps.topology.name}.${this.deps.workerId}`,
      partitions,
      onBatch: (topic, partition, messages) => this.onBatch(topic, partition, messages),
    });
    this.paused = false;
    await this.consumer.start();
  }

  private async stopConsumer(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    if (c !== null) await c.stop();
  }

  private onBatch(topic: string, partition: number, messages: KafkaMessage[]): void {
    const task = this.tasks.get(partition);
    if (task === undefined) return;
    for (const m of messages) task.process(topic, m);
  }
}
