import type { Logger } from 'pino';
import type { Topology } from '../dsl';
import type { HandlerRegistry } from '../../tabs/handlers/registry';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import { FencedError, StateLostError } from '../../state/errors';
import { TopologyTask, type TaskInput } from './topology-task';
import type { RunnerOffsetStore, RunnerOutbox, RunnerStateStore } from './runner-ports';
import type { InputConsumer, InputConsumerFactory, InputPartition, InputRecord } from '../../contracts/input-consumer';
import { TaskMetrics } from './task-metrics';
import { PartitionStalls, type Stall, type StallKind } from './partition-stalls';
import { withTimeout } from '../../contracts/with-timeout';
import { Backoff, backoffDelay, isRetriable, type Random, type RetryPolicy } from '../retry-policy';
import type { WorkingSet } from '../../contracts/working-set';
import { StateFetchError } from './state-fetch-error';
import { RunnerEmitter, type RunnerEventName, type RunnerEvents } from './runner-events';
import { logRunnerEvents } from './runner-log';
import { recordStamp } from './record-latency';

export interface RunnerDeps {
  store: RunnerStateStore;
  offsets: RunnerOffsetStore;
  /** Forwards and dead letters on their way to Kafka (the runner connects, drains and closes it). */
  outbox: RunnerOutbox;
  /** Makes the reader of the runner's input partitions (a new one after every change of them). */
  consumers: InputConsumerFactory;
  registry: HandlerRegistry;
  topology: Topology;
  partitions: number;
  workerId: string;
  flushIntervalMs: number;
  /** The version of the deployed spec this runner runs. */
  specVersion: number;
  /** Where the runner's lifecycle lines go (it subscribes the log to its events) and its warnings. */
  log: Logger;
  /** The process's budget for states in memory (shared by every runner of a worker); absent: unbounded. */
  workingSet?: WorkingSet;
  /** When a partition's failed checkpoint write is tried again; default: from half the flush interval, doubling up to 2 s. */
  checkpointRetry?: RetryPolicy;
  /** The jitter's randomness (tests make it predictable). */
  random?: Random;
}

/** One owned input partition: its task and where its checkpoints stand. */
interface Slot {
  task: TopologyTask;
  /** The fencing token of this owner's claim. */
  token: number;
  /** The watermark Redis holds from this owner's last write (or its claim). */
  durable: number;
  /** Counts this owner's writes: with the token, each write's id. */
  seq: number;
  /** A checkpoint taken and not yet in Redis, retried as it is before any newer one. */
  pending: { checkpoint: PartitionCheckpoint; commits: TaskInput[]; stamps: number[] } | null;
  /** Timestamps (epoch ms) of the records folded since the last draft: queryable once its checkpoint is written. */
  unflushed: number[];
  /** Failed attempts of the pending write in a row, and when it is due again. */
  retry: Backoff;
  /** Consumption of this partition is paused (its writes fail: back-pressure). */
  paused: boolean;
  /** A slice waiting for its states: no checkpoint of this partition until it is folded. */
  busy: Promise<void> | null;
}

/**
 * Runs the tasks of one topology that this worker owns, and the checkpoint
 * protocol for each: claim (a fencing token), fold in memory, and every
 * flush interval drain the outbox (forwards and dead letters of the covered
 * records), write each dirty partition's checkpoint to Redis in one fenced
 * step, and then mirror the next offsets into ZooKeeper.
 *
 * Partitions fail alone: a partition whose write fails is paused (the others
 * read on) and retried as it was, backing off (retry-policy.ts); a write
 * Redis refuses as fenced, or as lost (Redis lost this owner's writes), or
 * for a reason retrying will not fix (not retriable), releases the
 * partition, which is taken up again from what Redis holds (its watermark is
 * the truth) while it is still assigned here. Every such partition is reported with its reason
 * (`stalls`), logged once when checkpoints stall and once when they resume.
 *
 * Assignment changes, take-ups and checkpoint rounds run one at a time.
 *
 * What happens to its partitions is told as typed events (`events`:
 * took_up, handed_over, running, checkpoint, fenced, state_lost, released,
 * stalled, resumed, consumer_stopped...; runner-events.ts), which its log
 * lines and a worker's /metrics subscribe to.
 */
export class TopologyRunner {
  readonly events = new RunnerEmitter();
  readonly tasks = new Map<number, TopologyTask>();
  /** Each partition's counters, kept across its take-ups here (handed to listeners by `took_up`). */
  readonly metrics = new Map<number, TaskMetrics>();
  /** Owned partitions that are not moving, and why. */
  readonly stalls: PartitionStalls;
  private readonly slots = new Map<number, Slot>();
  /** Generation in force and the partitions it gives this worker. */
  private assignedGeneration = -1;
  private assigned = new Set<number>();
  /** The last generation fully applied (claimed, taken up, reading). */
  private applied = -1;
  /** Tokens this worker last held per partition: a new claim's token is above them. */
  private readonly lastTokens = new Map<number, number>();
  /** Offsets Redis holds and ZooKeeper does not mirror yet, per partition and input. */
  private readonly unmirrored = new Map<number, Map<string, TaskInput>>();
  private mirroring: Promise<void> | null = null;
  /** When the last mirror pass began (performance.now()), and the timer of the next one while it waits for its turn. */
  private mirroredAt = -Infinity;
  private mirrorTimer: NodeJS.Timeout | null = null;
  private consumer: InputConsumer | null = null;
  private readonly outbox: RunnerOutbox;
  /** Serializes assignment changes, take-ups and checkpoint rounds. */
  private exclusive: Promise<void> = Promise.resolve();
  private roundQueued: Promise<void> | null = null;
  private readonly retakes = new Map<number, NodeJS.Timeout>();
  /** Releases of a partition since it last wrote a checkpoint. */
  private readonly releases = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private restartingConsumer = false;
  private stopped = false;
  private readonly random: Random;

  constructor(private readonly deps: RunnerDeps) {
    this.outbox = deps.outbox;
    this.random = deps.random ?? Math.random;
    logRunnerEvents(this.events, deps.log);
    this.stalls = new PartitionStalls((name, ...args) => this.emit(name, ...args));
  }

  /** Tells the listeners; one that throws is logged, and neither the others nor the runner notice. */
  private emit<K extends RunnerEventName>(name: K, ...args: RunnerEvents[K]): void {
    this.events.notify(name, (err) => this.deps.log.error({ event: name, err: message(err) }, 'a listener of the runner failed'), ...args);
  }

  get generation(): number {
    return this.applied;
  }

  /** The topology it runs. */
  get topologyName(): string {
    return this.deps.topology.name;
  }

  get specVersion(): number {
    return this.deps.specVersion;
  }

  async start(): Promise<void> {
    await this.outbox.connect();
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.deps.flushIntervalMs);
    this.watchdog = setInterval(() => this.watchConsumer(), CONSUMER_WATCH_MS);
    this.watchdog.unref();
  }

  /**
   * A reader whose fetch loop shows no life for a while (Kafka went away and
   * the client waits out a group session it cannot rejoin, or it crashed) is
   * reported and replaced by a new one, which starts from the tasks' own
   * positions: a stopped reader never stalls the topology silently.
   */
  private watchConsumer(): void {
    if (this.stopped || this.restartingConsumer || this.applied < 0) return;
    const c = this.consumer;
    if (c !== null && Date.now() - c.lastActivityAt < CONSUMER_STALL_MS) {
      this.readerAlive();
      return;
    }
    // No reader (the last could not start: Kafka down) with partitions to read, or one that stopped.
    if (c === null ? this.slots.size === 0 : ![...this.slots.values()].some((slot) => !slot.paused)) return;
    this.restartingConsumer = true;
    const reason = c === null ? 'no Kafka reader runs (it could not start): starting one' : `the Kafka reader showed no life for ${Math.round((Date.now() - c.lastActivityAt) / 1000)} s: replacing it`;
    for (const index of this.slots.keys()) if (!this.stalls.get(index)) this.stalls.set(index, 'reader_stalled', reason);
    this.emit('consumer_stopped', { reason });
    void this.serialized(async () => {
      if (this.consumer !== c) return;
      await this.stopConsumer();
      await this.startConsumer();
      this.emit('consumer_replaced');
    })
      .catch((err: unknown) => this.deps.log.warn({ err: message(err) }, 'could not replace the Kafka reader; trying again'))
      .finally(() => {
        this.restartingConsumer = false;
      });
  }

  /** The reader fetched again: partitions stalled only by it move on. */
  private readerAlive(): void {
    for (const [index, st] of this.stalls.entries()) if (st.kind === 'reader_stalled' && this.slots.has(index)) this.stalls.clear(index);
  }

  /**
   * Moves to assignment `generation`: hands over the tasks that left this
   * worker (flushed first: the round runs after the consumer stopped, so it
   * covers every record folded), claims the rest under the new generation,
   * takes up the new ones from Redis, and reads on. A partition that cannot
   * be claimed or taken up now is reported and retried on its own.
   */
  assign(generation: number, partitions: number[]): Promise<void> {
    return this.serialized(async () => {
      const t0 = Date.now();
      await this.stopConsumer();
      await this.round(true);
      const t1 = Date.now();
      this.assignedGeneration = generation;
      this.assigned = new Set(partitions);
      for (const index of [...this.slots.keys()]) {
        if (!this.assigned.has(index)) {
          const pendingDropped = this.slots.get(index)!.pending !== null;
          this.drop(index);
          this.metrics.delete(index);
          this.emit('handed_over', { partition: index, generation, reason: 'reassigned', pendingDropped });
        }
      }
      for (const index of this.stalls.partitions()) if (!this.assigned.has(index)) this.stalls.clear(index);
      // A partition released here (not running now) and then assigned elsewhere is handed over too.
      for (const index of [...this.metrics.keys()]) {
        if (!this.assigned.has(index)) {
          this.metrics.delete(index);
          this.emit('handed_over', { partition: index, generation, reason: 'reassigned', pendingDropped: false });
        }
      }
      for (const [index, timer] of this.retakes) {
        if (!this.assigned.has(index)) {
          clearTimeout(timer);
          this.retakes.delete(index);
        }
      }
      // Claim every partition under the new generation first (fencing the previous owners), then
      // take the new ones up; partitions are independent, so all of it runs concurrently.
      await Promise.all([...this.slots.keys()].map((index) => this.reclaim(index, generation)));
      const t2 = Date.now();
      await Promise.all(partitions.filter((index) => !this.slots.has(index)).map((index) => this.takeUpOrRetry(index, generation)));
      const t3 = Date.now();
      await this.startConsumer();
      this.applied = generation;
      this.emit('running', { generation, partitions, ms: { stopAndFlush: t1 - t0, claim: t2 - t1, takeUp: t3 - t2, startConsumer: Date.now() - t3 } });
    });
  }

  /** One checkpoint round; a caller arriving while one waits shares it. */
  flush(): Promise<void> {
    this.roundQueued ??= this.serialized(async () => {
      this.roundQueued = null;
      const written = await this.round();
      // A write this round could not make says Redis is not answering now: reading the idle
      // partitions' positions too would only wait out its timeout as well, and hold the next
      // round (the partitions folding meanwhile would show their stall that much later).
      const failed = written.some((index) => this.slots.get(index)?.pending != null);
      if (!this.stopped && !failed) await this.checkIdle(written);
    });
    return this.roundQueued;
  }

  /** Drains: stops reading, writes everything folded so far (one more try if it fails), releases all. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.mirrorTimer) clearTimeout(this.mirrorTimer);
    for (const timer of this.retakes.values()) clearTimeout(timer);
    this.retakes.clear();
    return this.serialized(async () => {
      await this.stopConsumer();
      await this.round(true);
      if ([...this.slots.values()].some((s) => s.pending !== null)) await this.round(true);
      await this.mirroring;
      await this.mirrorOffsets();
      for (const index of [...this.slots.keys()]) this.drop(index);
      this.stalls.clearAll();
      await this.outbox.close().catch(() => {});
    });
  }

  private serialized(fn: () => Promise<void>): Promise<void> {
    const run = this.exclusive.then(fn);
    this.exclusive = run.catch(() => {});
    return run;
  }

  /** Claims a partition kept from the last generation under the new one. */
  private async reclaim(index: number, generation: number): Promise<void> {
    const slot = this.slots.get(index)!;
    try {
      const claimed = await this.deps.store.claim(this.deps.topology.name, index, generation, slot.token);
      this.lastTokens.set(index, claimed.token);
      if (claimed.watermark !== slot.durable) {
        // Redis holds another watermark than this owner left: it lost writes.
        this.release(index, 'state_lost', `Redis lost acknowledged writes (watermark ${claimed.watermark}, this owner wrote ${slot.durable})`, 0);
        return;
      }
      slot.token = claimed.token;
    } catch (err) {
      this.onTakeUpError(index, err);
    }
  }

  private async takeUpOrRetry(index: number, generation: number): Promise<void> {
    try {
      await this.takeUp(index, generation);
    } catch (err) {
      this.onTakeUpError(index, err);
    }
  }

  private onTakeUpError(index: number, err: unknown): void {
    this.drop(index);
    if (err instanceof FencedError) {
      // A newer generation claimed it: its assignment is on its way here. Another worker runs it
      // now, so its metrics leave this one (no partition counted twice); the stall stays until then.
      this.stalls.set(index, 'newer_assignment', `a newer assignment (generation ${err.storedEpoch}) claimed it`);
      if (this.metrics.delete(index)) this.emit('handed_over', { partition: index, generation: err.storedEpoch, reason: 'newer_assignment', pendingDropped: false });
      return;
    }
    this.release(index, 'take_up_failed', `could not take it up: ${message(err)}`, RETAKE_FIRST_DELAY_MS, RETAKE_TRANSIENT_MAX_DELAY_MS);
  }

  /** Claims a partition, loads its state from Redis, and starts a task at Redis's watermark + 1. */
  private async takeUp(index: number, generation: number): Promise<void> {
    const { store, offsets, topology, log } = this.deps;
    const metrics = this.metrics.get(index) ?? new TaskMetrics();
    this.metrics.set(index, metrics);
    const claimed = await store.claim(topology.name, index, generation, this.lastTokens.get(index) ?? 0);
    this.lastTokens.set(index, claimed.token);
    const task = new TopologyTask(
      topology,
      index,
      this.deps.partitions,
      this.deps.registry,
      this.outbox,
      metrics,
      topology.deadLetterTopic(),
      {
        states: {
          fetch: (partition, states, tabs) => store.fetchStates(topology.name, partition, states, tabs),
          scan: (partition, cursor, count) => store.scanStatesPage(topology.name, partition, cursor, count),
        },
        workingSet: this.deps.workingSet,
      },
    );
    // No states: they are fetched when a record needs them, so a take-over costs the same at any state count.
    const loaded = await store.load(topology.name, index, { states: false });
    // ZooKeeper's offsets only mirror Redis's watermarks: read to report a disagreement.
    const mirrored = new Map<string, number | null>();
    for (const input of task.inputTopics()) {
      mirrored.set(input.topic, await offsets.get(topology.name, input.topic, input.partition).catch(() => null));
    }
    await task.restore(loaded, mirrored);
    for (const input of task.inputs.values()) {
      const zk = mirrored.get(input.topic) ?? null;
      if (zk !== null && zk !== input.watermark + 1) {
        metrics.count('offset_mirror_disagreements');
        log.warn(
          { partition: index, generation, token: claimed.token, topic: input.topic, zookeeper: zk, redis: input.watermark + 1 },
          "ZooKeeper's offset disagrees with Redis's watermark; following Redis",
        );
        // A mirror ahead of Redis is put back now (commits only move it forward); one behind catches up at the next checkpoint.
        if (zk > input.watermark + 1) await offsets.reset(topology.name, input.topic, input.partition, input.watermark + 1).catch(() => {});
      }
    }
    const retry = new Backoff(this.deps.checkpointRetry ?? checkpointRetryPolicy(this.deps.flushIntervalMs), this.random);
    this.slots.set(index, { task, token: claimed.token, durable: loaded.watermark, seq: 0, pending: null, unflushed: [], retry, paused: false, busy: null });
    this.tasks.set(index, task);
    this.stalls.clear(index);
    this.emit('took_up', { partition: index, generation, token: claimed.token, watermark: loaded.watermark, dedupBuckets: loaded.dedup.size, metrics });
  }

  /**
   * Stops working on a partition: nothing more of it is read or folded, its
   * in-memory state is dropped (Redis has what counts), and while it stays
   * assigned here it is taken up again after `delayMs`, doubling while it
   * keeps failing, up to `maxDelayMs`.
   */
  private release(index: number, kind: StallKind, reason: string, delayMs: number, maxDelayMs = RETAKE_MAX_DELAY_MS): void {
    const slot = this.slots.get(index);
    if (slot !== undefined && !slot.paused) this.consumer?.pausePartitions(this.inputsOf(slot));
    this.drop(index);
    this.stalls.set(index, kind, reason);
    // Already released, its retake on the way: nothing new to tell.
    if (this.retakes.has(index)) return;
    if (this.stopped || !this.assigned.has(index)) {
      this.emit('released', { partition: index, kind, reason, retakeInMs: null });
      return;
    }
    // Backs off by the releases in a row (the partition wrote nothing between them).
    const releases = (this.releases.get(index) ?? 0) + 1;
    this.releases.set(index, releases);
    const delay = backoffDelay({ initialMs: delayMs, maxMs: maxDelayMs }, releases - 1, this.random);
    this.emit('released', { partition: index, kind, reason, retakeInMs: delay });
    const timer = setTimeout(() => {
      this.retakes.delete(index);
      void this.serialized(async () => {
        if (this.stopped || !this.assigned.has(index) || this.slots.has(index)) return;
        await this.stopConsumer();
        await this.takeUpOrRetry(index, this.assignedGeneration);
        await this.startConsumer();
      }).catch((err: unknown) => this.deps.log.warn({ partition: index, err: message(err) }, 'take-up failed; retrying'));
    }, delay);
    timer.unref();
    this.retakes.set(index, timer);
  }

  private drop(index: number): void {
    const slot = this.slots.get(index);
    if (slot === undefined) return;
    slot.task.close();
    this.slots.delete(index);
    this.tasks.delete(index);
    this.unmirrored.delete(index);
  }

  /**
   * Writes every partition's checkpoint that is due (a failed one once its
   * backoff has passed; every one with `all`: a hand-over or a stop); the
   * partitions it tried to write.
   */
  private async round(all = false): Promise<number[]> {
    // A slice waiting for its states has moved its watermark past records not folded yet: each
    // partition's checkpoint is taken between two of its slices. Each waits for its own slice only
    // (waiting until no partition at all had a slice in flight kept rounds back for hundreds of ms
    // while four partitions took turns fetching).
    await Promise.all([...this.slots].map(([index, slot]) => this.takeCheckpoint(index, slot)));
    const due = [...this.slots.entries()].filter(([, s]) => s.pending !== null && (all || s.retry.due));
    if (due.length > 0) {
      try {
        await this.outbox.drain();
      } catch (err) {
        for (const [index] of due) this.writeFailed(index, err, 'outbox_failed');
        return due.map(([index]) => index);
      }
      await Promise.all(due.map(([index, slot]) => this.write(index, slot)));
    }
    this.mirrorSoon();
    return due.map(([index]) => index);
  }

  /**
   * A partition with nothing to write learns of a Redis that lost its writes
   * (a failover to a lagging replica, a restart from an older AOF) only at its
   * next write, which may be long in coming: its aggregates would stay behind
   * meanwhile. So after each periodic round, the owner reads back the token and watermark of
   * every partition it did not write, and treats one that is not what it
   * left as its refused write (lost: taken up again from Redis's watermark;
   * a newer token: fenced). A failed read says nothing: the next round asks again.
   */
  private async checkIdle(written: number[]): Promise<void> {
    const idle = [...this.slots.entries()].filter(([index, slot]) => !written.includes(index) && slot.pending === null && slot.busy === null);
    if (idle.length === 0) return;
    const name = this.deps.topology.name;
    let held: Array<{ token: number; watermark: number }>;
    try {
      held = await this.deps.store.readPositions(name, idle.map(([index]) => index));
    } catch {
      return;
    }
    idle.forEach(([index, slot], i) => {
      const { token, watermark } = held[i]!;
      if (this.slots.get(index) !== slot || slot.pending !== null || (token === slot.token && watermark === slot.durable)) return;
      this.writeFailed(index, token > slot.token ? new FencedError(name, index, token, slot.token) : new StateLostError(name, index, watermark, slot.durable));
    });
  }

  /** Drafts a partition's next checkpoint (none while one waits to be written), once no slice of it is in flight. */
  private async takeCheckpoint(index: number, slot: Slot): Promise<void> {
    while (slot.busy !== null) await slot.busy.catch(() => {});
    if (this.slots.get(index) !== slot || slot.pending !== null) return;
    const taken = slot.task.checkpoint(Date.now());
    if (taken !== null) {
      slot.pending = {
        checkpoint: { ...taken.checkpoint, token: 0, checkpointId: '', expectedWatermark: -1 },
        commits: taken.commits,
        stamps: slot.unflushed,
      };
    }
    // With nothing to write, what was folded changed nothing (replays): it is as queryable as it will be.
    slot.unflushed = [];
  }

  private async write(index: number, slot: Slot): Promise<void> {
    const started = performance.now();
    const pending = slot.pending!;
    const checkpoint: PartitionCheckpoint = {
      ...pending.checkpoint,
      token: slot.token,
      checkpointId: `${slot.token}:${slot.seq}`,
      expectedWatermark: slot.durable,
    };
    try {
      await this.deps.store.write(checkpoint);
    } catch (err) {
      if (this.slots.get(index) === slot) this.writeFailed(index, err);
      return;
    }
    if (this.slots.get(index) !== slot) return;
    slot.seq++;
    slot.durable = checkpoint.watermark;
    slot.pending = null;
    slot.retry.succeeded();
    // What it covered is in Redis: states it wrote may leave memory.
    slot.task.checkpointed();
    const metrics = this.metrics.get(index);
    metrics?.count('events_folded', checkpoint.eventsDelta);
    metrics?.count('checkpoints_written');
    metrics?.latency.queryable.observeStamps(pending.stamps, Date.now());
    const unmirrored = this.unmirrored.get(index) ?? new Map<string, TaskInput>();
    for (const c of pending.commits) unmirrored.set(c.topic, c);
    this.unmirrored.set(index, unmirrored);
    // Built only when someone listens: this runs for every write.
    if (this.events.listenerCount('checkpoint') > 0) {
      const seconds = (performance.now() - started) / 1000;
      this.emit('checkpoint', { partition: index, watermark: checkpoint.watermark, events: checkpoint.eventsDelta, flushedAt: checkpoint.flushedAt, seconds });
    }
    if (slot.paused) {
      slot.paused = false;
      this.consumer?.resumePartitions(this.inputsOf(slot));
    }
    this.releases.delete(index);
    this.stalls.clear(index);
  }

  private writeFailed(index: number, err: unknown, kind: StallKind = 'checkpoint_failed'): void {
    const slot = this.slots.get(index);
    if (slot === undefined) return;
    const metrics = this.metrics.get(index);
    const { log } = this.deps;
    if (err instanceof FencedError) {
      metrics?.count('checkpoints_fenced');
      this.emit('fenced', { partition: index, token: slot.token, newer: err.storedEpoch });
      // Taken up again at once while still assigned here: the claim tells whether it is still ours.
      this.release(index, 'fenced', `fenced by a newer claim (token ${err.storedEpoch})`, 0);
      return;
    }
    if (err instanceof StateLostError) {
      metrics?.count('checkpoints_lost');
      this.emit('state_lost', { partition: index, message: err.message });
      this.release(index, 'state_lost', err.message, 0);
      return;
    }
    metrics?.count('checkpoints_failed');
    slot.retry.failed();
    this.stalls.set(index, kind, kind === 'outbox_failed' ? `Kafka did not take the forwards and dead letters: ${message(err)}` : `checkpoint failed: ${message(err)}`);
    if (!slot.paused) {
      slot.paused = true;
      this.consumer?.pausePartitions(this.inputsOf(slot));
    }
    // A write Redis refuses for good is not tried again as it is: taking the partition up again
    // from Redis can mend it. Not so the outbox (shared by every partition): that one waits.
    if (kind === 'checkpoint_failed' && !isRetriable(err)) {
      log.error({ partition: index, err: message(err) }, 'checkpoint refused for good: releasing the partition to take it up again from Redis');
      this.release(index, kind, `checkpoint refused: ${message(err)}`, RETAKE_FIRST_DELAY_MS);
    }
  }

  /**
   * Mirrors now, or at the end of OFFSET_MIRROR_INTERVAL_MS from the last
   * pass: a round every 100 ms would otherwise write (and ZooKeeper fsync)
   * every owned partition's offset ten times a second, for a mirror that
   * nothing starts from.
   */
  private mirrorSoon(): void {
    // A stop mirrors what is left itself, at once.
    if (this.stopped || this.mirrorTimer !== null || this.unmirrored.size === 0) return;
    const wait = this.mirroredAt + OFFSET_MIRROR_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      void this.mirrorOffsets();
      return;
    }
    this.mirrorTimer = setTimeout(() => {
      this.mirrorTimer = null;
      void this.mirrorOffsets();
    }, wait);
  }

  /** Mirrors the offsets Redis holds into ZooKeeper (for Storm-style tooling); behind is reported, never blocking. */
  private mirrorOffsets(): Promise<void> {
    if (this.mirroring !== null || this.unmirrored.size === 0) return this.mirroring ?? Promise.resolve();
    this.mirroredAt = performance.now();
    this.mirroring = this.mirrorUnmirrored().finally(() => {
      this.mirroring = null;
    });
    return this.mirroring;
  }

  private async mirrorUnmirrored(): Promise<void> {
    try {
      for (const [index, inputs] of [...this.unmirrored]) {
        for (const [topic, input] of [...inputs]) {
          await this.deps.offsets.commit(this.deps.topology.name, topic, input.partition, input.watermark + 1);
          if (inputs.get(topic) === input) inputs.delete(topic);
        }
        if (inputs.size === 0 && this.unmirrored.get(index) === inputs) this.unmirrored.delete(index);
      }
      this.stalls.mirrorCaughtUp();
    } catch (err) {
      this.stalls.mirrorBehind(`ZooKeeper offsets not mirrored: ${message(err)}`);
    }
  }

  private inputsOf(slot: Slot): InputPartition[] {
    return [...slot.task.inputs.values()].map((i) => ({ topic: i.topic, partition: i.partition }));
  }

  private async startConsumer(): Promise<void> {
    if (this.stopped || this.consumer !== null) return;
    const position = (i: TaskInput): number => Math.max(i.start, i.watermark + 1);
    const partitions = [...this.slots.values()].flatMap((slot) =>
      [...slot.task.inputs.values()].map((i) => ({ topic: i.topic, partition: i.partition, start: position(i) })),
    );
    this.consumer = this.deps.consumers({
      partitions,
      onBatch: (topic, partition, messages) => this.onBatch(topic, partition, messages),
      onFetched: (_topic, partition, records) => this.metrics.get(partition)?.latency.fetched.observeRecords(records, Date.now()),
      onUnreadable: (_topic, partition, reason) => {
        if (this.slots.has(partition)) this.stalls.set(partition, 'input_unreadable', reason);
      },
    });
    try {
      await withTimeout(this.consumer.start(), CONSUMER_START_MS, `the Kafka reader did not start within ${CONSUMER_START_MS / 1000} s`);
    } catch (err) {
      // Stopped for sure before another starts: two readers of one partition would fold out of order.
      await this.stopConsumer();
      throw err;
    }
    for (const slot of this.slots.values()) {
      slot.paused = slot.pending !== null && slot.retry.attempts > 0;
      if (slot.paused) this.consumer.pausePartitions(this.inputsOf(slot));
    }
  }

  /** Stops the reader; a client that cannot say goodbye to a broker that is gone is given up on after a while. */
  private async stopConsumer(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    if (c !== null) await withTimeout(c.stop(), CONSUMER_STOP_MS, 'the Kafka reader did not stop in time').catch((err: unknown) => this.deps.log.warn({ err: message(err) }, 'Kafka reader abandoned'));
  }

  /**
   * Folds a fetched batch in slices, giving the event loop back between them,
   * so ZooKeeper pings, watches and the flush timer are never starved by a
   * large batch (a starved ping can cost the worker its session). A record
   * the task cannot process at all (a bug: bad input is dead-lettered inside
   * the task), or a slice whose states cannot be fetched from Redis, releases
   * the partition: nothing after it is folded, and the partition is taken up
   * again from Redis's watermark. While a slice waits for its states, no
   * checkpoint of its partition is taken (`busy`).
   */
  private async onBatch(topic: string, partition: number, messages: InputRecord[]): Promise<void> {
    const latency = this.metrics.get(partition)?.latency;
    const stamps = messages.map((m) => recordStamp(m.timestamp));
    latency?.received.observeStamps(stamps, Date.now());
    for (let from = 0; from < messages.length; from += BATCH_SLICE) {
      const slot = this.slots.get(partition);
      if (slot === undefined) return;
      const to = Math.min(messages.length, from + BATCH_SLICE);
      let offset = messages[from]!.offset;
      try {
        const folding = slot.task.processSlice(topic, messages.slice(from, to));
        if (folding !== undefined) {
          offset = `${messages[from]!.offset}..${messages[to - 1]!.offset}`;
          slot.busy = folding;
          try {
            await folding;
          } finally {
            slot.busy = null;
          }
        }
        latency?.folded.observeStamps(stamps, Date.now(), from, to);
        for (let i = from; i < to; i++) slot.unflushed.push(stamps[i]!);
      } catch (err) {
        if (this.slots.get(partition) !== slot) return;
        if (err instanceof StateFetchError) {
          this.deps.log.warn({ partition, topic, offsets: offset, err: message(err) }, 'could not fetch the states a slice needs: releasing the partition');
          this.release(partition, 'state_fetch_failed', `could not fetch states from Redis: ${message(err)}`, RETAKE_FIRST_DELAY_MS, RETAKE_TRANSIENT_MAX_DELAY_MS);
          return;
        }
        this.deps.log.error({ partition, topic, offset, err: message(err) }, 'a record could not be processed: releasing the partition');
        this.release(partition, 'record_failed', `record ${topic}:${partition}:${offset} could not be processed: ${message(err)}`, RETAKE_FIRST_DELAY_MS);
        return;
      }
      if (to < messages.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

export type { Stall, StallKind };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** How often the reader's liveness is checked, and how long without life makes it stalled. */
const CONSUMER_WATCH_MS = 1_000;
const CONSUMER_STALL_MS = 5_000;
/** A reader's stop waits this long at most (its goodbye to a dead broker may never be answered); it hands over no batch once asked. */
const CONSUMER_STOP_MS = 3_000;
/** A reader that cannot start within this long (Kafka down) is stopped, and the watchdog tries again. */
const CONSUMER_START_MS = 10_000;

/** The ZooKeeper offset mirror is written at most this often (the last positions always within it). */
const OFFSET_MIRROR_INTERVAL_MS = 1_000;

/** Records folded between two turns of the event loop. */
const BATCH_SLICE = 200;

/**
 * A failed checkpoint write is tried again from the next round on, backing off
 * to this at most (or the flush interval, if longer): enough to spare a
 * struggling Redis, little enough that a Redis back is written to within 2 s.
 */
const CHECKPOINT_RETRY_MAX_MS = 2_000;
/** The first retry comes at the next round (a round's timer fires a whole interval after the last). */
const checkpointRetryPolicy = (flushIntervalMs: number): RetryPolicy => ({ initialMs: flushIntervalMs / 2, maxMs: Math.max(flushIntervalMs, CHECKPOINT_RETRY_MAX_MS) });

/** A released partition is taken up again after this, doubling while it keeps failing, up to the maximum. */
const RETAKE_FIRST_DELAY_MS = 1_000;
/** For a partition whose write Redis refuses for good (a bug or a limit): retrying often helps nobody. */
const RETAKE_MAX_DELAY_MS = 60_000;
/** For a partition that could not be taken up (a service down): soon after it is back. */
const RETAKE_TRANSIENT_MAX_DELAY_MS = 4_000;
