import type { Topology } from '../dsl';
import { needsRepartitionTopic, placeEdge, type EdgePlacement } from '../dsl/placement';
import type { HandlerRegistry } from '../../tabs/handlers/registry';
import type { LoadedPartition, TaskCheckpoint } from '../../contracts/partition-checkpoint';
import { partitionForKey } from '../../client/partition-for-key';
import type { Bolt, Emit, Tuple } from '../../contracts/bolt';
import { emptyDraft, draftIsEmpty } from '../../contracts/checkpoint-draft';
import { decodeEnvelope, encodeEnvelopes, envelopePosition } from './forward-envelope';
import type { Outbox } from './outbox';
import type { TaskContext } from '../../contracts/task-context';
import type { InputRecord } from '../../contracts/input-consumer';
import { deadLetterCounter, type TaskMetrics } from './task-metrics';
import type { StateSource } from '../../contracts/state-source';
import { StateFetchError } from './state-fetch-error';
import type { WorkingSet } from '../../contracts/working-set';
import { fieldAccess, HeldTupleColumns, HeldTupleList, type SliceHeldTuples } from './held-tuples';

/** One input partition of a task and where the task stands in it. */
export interface TaskInput {
  topic: string;
  partition: number;
  /** Offset of the last record folded (-1: none). */
  watermark: number;
  /** Offset the task must start reading from. */
  start: number;
}

interface PendingForward {
  topic: string;
  target: number;
  bolt: string;
  key: string | null;
  tuples: Tuple[];
}

/** A connection from a component to one consumer, as this task routes it. */
interface Edge {
  to: string;
  placement: EdgePlacement;
  parallelism: number;
  /** The key the last tuple was routed by, and the task it went to. */
  lastKey: string | undefined;
  lastTarget: number;
  /** The consumer's bolt in this task and its emitter, once looked up. */
  bolt?: Bolt;
  emit?: Emit;
}

/** The record a tuple came from: where its forwards and dead letters say it began. */
interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A slice of records on its way through the chain. Tuples for bolts that
 * prefetch wait here (with the index of their record) until the bolt has
 * fetched what they need; forwards wait per record, so that they leave in
 * record order whatever bolt emitted them (receivers dedup by position).
 */
interface Slice {
  records: RecordContext[];
  deferred: Map<string, SliceHeldTuples>;
  forwards: Array<Map<string, PendingForward> | undefined>;
}

/** What a task reads and shares besides its topology: states not in memory, and the process's budget for them. */
export interface TaskServices {
  states?: StateSource;
  workingSet?: WorkingSet;
}

const sourceKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * The key of a receiver's dedup position: the repartition topic the envelope
 * came by, and its source (`<topic>:<partition>`). Senders keep offset order
 * per topic and target, not across topics: one source record may reach a task
 * by two topics (a chain of two keyed bolts), and either topic may run ahead.
 * Stored as `fwd:<repartition topic>:<source topic>:<partition>`; Kafka topic
 * names have no `:`, so the old layout `fwd:<source topic>:<partition>` (by
 * source only) tells itself apart by having one `:` fewer.
 */
const forwardKey = (topic: string, source: string): string => `${topic}:${source}`;

/** The header of a `processing-error` dead letter naming the bolt that threw. */
export const COMPONENT_HEADER = 'tabstream-component';

/** Dead letters keep at most this much of the bad input. */
const MAX_DEAD_LETTER_BYTES = 256 * 1024;

/**
 * Task `index` of a topology: the spout's partition `index`, every bolt's
 * task `index`, and the repartition topics' partition `index`, all run fused
 * in one worker. It processes records synchronously and builds checkpoints;
 * the worker does the I/O.
 */
export class TopologyTask {
  readonly inputs = new Map<string, TaskInput>();
  private readonly bolts = new Map<string, Bolt>();
  private readonly emitters = new Map<string, Emit>();
  /** Per (repartition topic, source input), the highest envelope position folded here (dedup of re-sent envelopes). */
  private readonly forwardedUpTo = new Map<string, number>();
  private readonly pending = new Map<string, PendingForward>();
  private current: RecordContext | null = null;
  private lastCheckpointed = new Map<string, number>();
  /** Bolts that prefetch, in topological order: a slice's tuples reach them in this order. */
  private readonly prefetching: string[] = [];
  /** Per bolt that names its held fields, the columns its slices' tuples wait in (one slice at a time: reused). */
  private readonly heldColumns = new Map<string, HeldTupleColumns>();
  private slice: Slice | null = null;
  /** The index in the slice of the record being processed. */
  private at = -1;
  /** A checkpoint became durable while a slice was half done: bolts hear of it at the slice's end. */
  private durableDuringSlice = false;
  /**
   * The bolt whose `execute` threw, for the dead letter's `tabstream-component`:
   * set by the innermost bolt (a throw passes up through every bolt that emitted
   * to it), cleared before each record and each deferred tuple.
   */
  private thrower: string | null = null;

  constructor(
    private readonly topology: Topology,
    readonly index: number,
    private readonly partitions: number,
    private readonly registry: HandlerRegistry,
    private readonly outbox: Outbox,
    private readonly metrics: TaskMetrics,
    private readonly dlqTopic: string,
    private readonly services: TaskServices = {},
  ) {
    for (const bolt of topology.bolts) {
      if (index >= topology.parallelismOf(bolt.name, partitions)) continue;
      const created = bolt.definition.create(this.contextFor(bolt.name));
      this.bolts.set(bolt.name, created);
      // Without a state source every state is in memory: nothing to wait for, no slice to hold back.
      if (created.prefetch !== undefined && services.states !== undefined) {
        this.prefetching.push(bolt.name);
        if (created.heldFields !== undefined) this.heldColumns.set(bolt.name, new HeldTupleColumns(fieldAccess(created.heldFields)));
      }
    }
    for (const c of topology.components) this.emitters.set(c.name, this.emitterFor(c.name));
  }

  /** The topics and partitions this task reads. */
  inputTopics(): Array<{ topic: string; partition: number }> {
    const out = [{ topic: this.topology.spout.definition.topic, partition: this.index }];
    for (const bolt of this.bolts.keys()) {
      if (needsRepartitionTopic(this.topology, bolt, this.partitions)) out.push({ topic: this.topology.repartitionTopic(bolt), partition: this.index });
    }
    return out;
  }

  /**
   * Loads durable state and starts each input at Redis's watermark + 1 (the
   * truth); `committed`, ZooKeeper's mirror of the offsets, only tells
   * whether the next checkpoint must commit the position even if nothing moves.
   * A promise when a bolt must read more first (see Bolt.restore).
   */
  restore(loaded: LoadedPartition, committed: Map<string, number | null>): Promise<void> | undefined {
    const reading: Array<Promise<void>> = [];
    for (const bolt of this.bolts.values()) {
      const restored = bolt.restore?.(loaded);
      if (restored !== undefined) reading.push(restored);
    }
    if (reading.length > 0) return Promise.all(reading).then(() => this.startInputs(loaded, committed));
    this.startInputs(loaded, committed);
    return undefined;
  }

  private startInputs(loaded: LoadedPartition, committed: Map<string, number | null>): void {
    this.restoreForwardPositions(loaded.sources);
    for (const { topic, partition } of this.inputTopics()) {
      const watermark =
        topic === this.topology.spout.definition.topic
          ? loaded.watermark
          : Number(loaded.sources[`in:${sourceKey(topic, partition)}`] ?? -1);
      const zk = committed.get(topic) ?? null;
      const start = watermark + 1;
      this.inputs.set(topic, { topic, partition, watermark, start });
      // Where ZooKeeper's mirror differs from the Redis watermark (a crash between the two
      // writes, a Redis that lost writes), the next checkpoint commits the true position even
      // if nothing moves.
      const inStep = zk === start || (zk === null && watermark === -1);
      this.lastCheckpointed.set(topic, inStep ? watermark : Number.NaN);
    }
  }

  /**
   * Processes one record of one of this task's inputs, in offset order, where
   * no bolt has to wait for state (see `processSlice`).
   */
  process(topic: string, record: InputRecord): void {
    if (this.processSlice(topic, [record]) !== undefined) throw new Error('a bolt of this task fetches state: records go through processSlice');
  }

  /**
   * Processes records of one of this task's inputs, in offset order. A
   * promise when a bolt had to fetch states first: until it settles the
   * slice is half done, so no checkpoint may be taken (the runner waits); if
   * it rejects, the task is unusable and the partition must be taken up
   * again from Redis.
   */
  processSlice(topic: string, records: readonly InputRecord[]): Promise<void> | undefined {
    // One slice at a time per task (input-consumer's contract): a second would fold into the first's.
    if (this.slice !== null) throw new Error('a slice was handed to the task while another of its slices waits for its states');
    const input = this.inputs.get(topic);
    if (input === undefined) return undefined;
    if (this.prefetching.length === 0) {
      for (const record of records) this.processRecord(topic, input, record);
      return undefined;
    }
    this.slice = { records: [], deferred: new Map(), forwards: [] };
    for (const record of records) this.processRecord(topic, input, record);
    try {
      return this.finishSlice();
    } catch (err) {
      this.slice = null;
      throw err;
    }
  }

  private processRecord(topic: string, input: TaskInput, record: InputRecord): void {
    const offset = Number(record.offset);
    // A replay: already folded and checkpointed (or before where this task was told to start).
    if (offset <= input.watermark || offset < input.start) {
      this.metrics.count('records_replayed_skipped');
      return;
    }
    this.current = { topic, partition: input.partition, offset: record.offset };
    if (this.slice !== null) {
      this.at = this.slice.records.length;
      this.slice.records.push(this.current);
    }
    this.thrower = null;
    try {
      if (topic === this.topology.spout.definition.topic) {
        this.emitters.get(this.topology.spout.name)!({
          key: record.key,
          value: record.value,
          topic,
          partition: input.partition,
          offset: record.offset,
          timestamp: record.timestamp,
        });
      } else {
        this.processEnvelope(topic, record);
      }
    } catch (err) {
      // A bolt that throws on some input must neither stall the partition (retrying the
      // record forever) nor skip its neighbours: the record goes to the dead-letter topic
      // with the error, and the partition moves on. (What the chain did before throwing stays.)
      this.deadLetter('processing-error', err instanceof Error ? err.message : String(err), record.value, this.thrower);
    }
    input.watermark = offset;
    this.current = null;
    if (this.slice === null) this.flushForwards(this.pending, topic, input.partition, record.offset);
    this.metrics.count('records');
  }

  /**
   * Runs the tuples the slice held back, bolt by bolt in topological order,
   * each after its prefetch; then sends the slice's forwards in record order.
   */
  private finishSlice(): Promise<void> | undefined {
    const slice = this.slice!;
    for (const name of this.prefetching) {
      const deferred = slice.deferred.get(name);
      if (deferred === undefined || deferred.length === 0) continue;
      slice.deferred.delete(name);
      const ready = this.bolts.get(name)!.prefetch!(deferred);
      if (ready !== undefined) {
        return ready.then(
          () => {
            this.runDeferred(name, deferred);
            // Emits of this bolt may have held back tuples for the bolts after it.
            return this.finishSlice();
          },
          (err: unknown) => {
            this.slice = null;
            throw new StateFetchError(err);
          },
        );
      }
      this.runDeferred(name, deferred);
    }
    for (let at = 0; at < slice.records.length; at++) {
      const forwards = slice.forwards[at];
      const { topic, partition, offset } = slice.records[at]!;
      if (forwards !== undefined) this.flushForwards(forwards, topic, partition, offset);
    }
    this.slice = null;
    this.at = -1;
    if (this.durableDuringSlice) {
      this.durableDuringSlice = false;
      this.checkpointed();
    }
    return undefined;
  }

  private runDeferred(name: string, deferred: SliceHeldTuples): void {
    const slice = this.slice!;
    const bolt = this.bolts.get(name)!;
    const emit = this.emitters.get(name)!;
    for (let i = 0; i < deferred.length; i++) {
      const tuple = deferred.get(i);
      const at = deferred.recordOf(i);
      this.at = at;
      this.current = slice.records[at]!;
      this.thrower = null;
      try {
        this.execute(name, bolt, emit, tuple);
      } catch (err) {
        this.deadLetter('processing-error', err instanceof Error ? err.message : String(err), tuple, this.thrower);
      }
    }
    this.current = null;
  }

  /** Executes a tuple on a bolt of this task now, or holds it back for the bolt's prefetch. */
  private run(name: string, bolt: Bolt, emit: Emit, tuple: Tuple): void {
    if (this.slice !== null && bolt.prefetch !== undefined) {
      let held = this.slice.deferred.get(name);
      if (held === undefined) {
        const columns = this.heldColumns.get(name);
        columns?.clear();
        held = columns ?? new HeldTupleList();
        this.slice.deferred.set(name, held);
      }
      held.push(tuple, this.at);
      return;
    }
    this.execute(name, bolt, emit, tuple);
  }

  /** Runs a bolt on a tuple; a throw is marked with the bolt's name on its way up (the innermost bolt wins). */
  private execute(name: string, bolt: Bolt, emit: Emit, tuple: Tuple): void {
    try {
      bolt.execute(tuple, emit);
    } catch (err) {
      this.thrower ??= name;
      throw err;
    }
  }

  /** The task is dropped: its bolts give back what they hold (a slice still in flight folds into nothing shared). */
  close(): void {
    for (const bolt of this.bolts.values()) bolt.close?.();
  }

  /**
   * Tells every bolt that the checkpoint it last contributed to is durable.
   * In the middle of a slice it waits for the slice's end: a bolt must not
   * evict a state it fetched for tuples it has not executed yet.
   */
  checkpointed(): void {
    if (this.slice !== null) {
      this.durableDuringSlice = true;
      return;
    }
    for (const bolt of this.bolts.values()) bolt.checkpointed?.();
  }

  /**
   * What changed since the last checkpoint, as one atomic write; null when
   * nothing did. Taken synchronously between records, so it is consistent.
   */
  checkpoint(now: number): { checkpoint: TaskCheckpoint; commits: TaskInput[] } | null {
    // Half a slice is folded and its watermark moved: a checkpoint now could cover unfolded records.
    if (this.slice !== null) throw new Error('a checkpoint was asked for in the middle of a slice');
    const draft = emptyDraft();
    for (const bolt of this.bolts.values()) bolt.checkpoint?.(draft, now);
    const moved = [...this.inputs.values()].filter((i) => i.watermark !== this.lastCheckpointed.get(i.topic));
    if (draftIsEmpty(draft) && moved.length === 0) return null;
    const spoutTopic = this.topology.spout.definition.topic;
    const sources: Record<string, string> = {};
    for (const i of this.inputs.values()) {
      if (i.topic !== spoutTopic) sources[`in:${sourceKey(i.topic, i.partition)}`] = String(i.watermark);
    }
    for (const [k, v] of this.forwardedUpTo) sources[`fwd:${k}`] = String(v);
    for (const i of moved) this.lastCheckpointed.set(i.topic, i.watermark);
    return {
      checkpoint: {
        topology: this.topology.name,
        partition: this.index,
        watermark: this.inputs.get(spoutTopic)?.watermark ?? -1,
        flushedAt: now,
        eventsDelta: draft.eventsDelta,
        states: draft.states,
        deleted: draft.deleted,
        types: draft.types,
        dedupAdded: draft.dedupAdded,
        dedupExpireBefore: draft.dedupExpireBefore,
        sources,
        clientCounts: draft.clientCounts,
      },
      commits: moved.map((i) => ({ ...i })),
    };
  }

  /**
   * The `fwd:` positions of a checkpoint. An old-layout position (by source
   * only) is the highest over every repartition topic of the task: it is that
   * topic's own where the task reads one repartition topic, and says nothing
   * about either where it reads two or more (taking it would drop envelopes
   * never folded), so there it is ignored.
   */
  private restoreForwardPositions(sources: Record<string, string>): void {
    const repartitionInputs = this.inputTopics().filter((i) => i.topic !== this.topology.spout.definition.topic);
    const only = repartitionInputs.length === 1 ? repartitionInputs[0]!.topic : null;
    for (const [field, value] of Object.entries(sources)) {
      if (!field.startsWith('fwd:')) continue;
      const key = field.slice(4);
      const colons = key.split(':').length - 1;
      const position = Number(value);
      if (colons === 2) this.advanceForwarded(key, position);
      else if (colons === 1 && only !== null) this.advanceForwarded(forwardKey(only, key), position);
    }
  }

  private advanceForwarded(key: string, position: number): void {
    if (!Number.isFinite(position)) return;
    const seen = this.forwardedUpTo.get(key);
    if (seen === undefined || position > seen) this.forwardedUpTo.set(key, position);
  }

  private processEnvelope(topic: string, record: InputRecord): void {
    const envelope = decodeEnvelope(record.value);
    if (envelope === null || !this.bolts.has(envelope.c)) {
      this.deadLetter('bad-envelope', 'a repartition message this runtime cannot read', record.value);
      return;
    }
    const position = envelopePosition(envelope);
    const key = forwardKey(topic, envelope.s);
    const seen = this.forwardedUpTo.get(key);
    if (seen !== undefined && position <= seen) {
      this.metrics.count('forwards_duplicate_skipped');
      return;
    }
    this.forwardedUpTo.set(key, position);
    const bolt = this.bolts.get(envelope.c)!;
    const emit = this.emitters.get(envelope.c)!;
    for (const tuple of envelope.t) this.run(envelope.c, bolt, emit, tuple);
  }

  private emitterFor(name: string): Emit {
    const edges: Edge[] = this.topology.consumersOf(name).map(({ component, grouping }) => ({
      to: component.name,
      placement: placeEdge(this.topology, grouping, component.name, this.partitions),
      parallelism: this.topology.parallelismOf(component.name, this.partitions),
      lastKey: undefined,
      lastTarget: -1,
    }));
    if (edges.length === 0) return () => {};
    return (tuple: Tuple) => {
      for (const edge of edges) this.deliver(edge, tuple);
    };
  }

  private deliver(edge: Edge, tuple: Tuple): void {
    const { to, placement, parallelism } = edge;
    switch (placement.kind) {
      case 'local':
        if (this.bolts.has(to)) this.executeOn(edge, tuple);
        else this.forward(this.topology.repartitionTopic(to), this.index % parallelism, to, null, tuple);
        return;
      case 'keyed': {
        const f = placement.fields;
        const key = f.length === 1 ? String(tuple[f[0]!]) : f.map((x) => String(tuple[x])).join('\u0000');
        // The same key as the tuple before (a batch's Tab) is not hashed again.
        if (key !== edge.lastKey) {
          edge.lastKey = key;
          edge.lastTarget = partitionForKey(key, parallelism);
        }
        if (edge.lastTarget === this.index) this.executeOn(edge, tuple);
        else this.forward(placement.topic, edge.lastTarget, to, key, tuple);
        return;
      }
      case 'all':
        for (let target = 0; target < parallelism; target++) {
          if (target === this.index) this.executeOn(edge, tuple);
          else this.forward(placement.topic, target, to, null, tuple);
        }
        return;
      case 'global':
        if (this.index === 0) this.executeOn(edge, tuple);
        else this.forward(placement.topic, 0, to, null, tuple);
        return;
    }
  }

  private executeOn(edge: Edge, tuple: Tuple): void {
    // Looked up on first use: emitters are made after the bolts, and may be made in any order.
    edge.bolt ??= this.bolts.get(edge.to)!;
    edge.emit ??= this.emitters.get(edge.to)!;
    this.run(edge.to, edge.bolt, edge.emit, tuple);
  }

  private forward(topic: string, target: number, bolt: string, key: string | null, tuple: Tuple): void {
    const id = `${topic}\u0000${target}`;
    let pending = this.pending;
    if (this.slice !== null) {
      pending = this.slice.forwards[this.at] ?? new Map();
      this.slice.forwards[this.at] = pending;
    }
    let p = pending.get(id);
    if (p === undefined) {
      p = { topic, target, bolt, key, tuples: [] };
      pending.set(id, p);
    }
    p.tuples.push(tuple);
  }

  /** One envelope per (record, target task), so the receiver can dedup by source offset. */
  private flushForwards(pending: Map<string, PendingForward>, topic: string, partition: number, offset: string): void {
    if (pending.size === 0) return;
    for (const p of pending.values()) {
      for (const value of encodeEnvelopes({ s: sourceKey(topic, partition), o: offset, c: p.bolt, t: p.tuples })) {
        this.outbox.push({ topic: p.topic, partition: p.target, key: p.key, value });
      }
      this.metrics.count('tuples_forwarded', p.tuples.length);
    }
    pending.clear();
  }

  /** `component`: the bolt that threw, for a processing error (absent when the runtime's own routing did). */
  private deadLetter(reason: string, message: string, payload: Tuple | Buffer | null, component: string | null = null): void {
    let value = payload === null ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string> = { 'tabstream-reason': reason, 'tabstream-error': message };
    if (component !== null) headers[COMPONENT_HEADER] = component;
    // A dead letter Kafka would refuse must not stall the partition: keep its head.
    if (value.length > MAX_DEAD_LETTER_BYTES) {
      headers['tabstream-truncated-from'] = String(value.length);
      value = value.subarray(0, MAX_DEAD_LETTER_BYTES);
    }
    if (this.current !== null) {
      headers['tabstream-source'] = `${this.current.topic}:${this.current.partition}:${this.current.offset}`;
    }
    this.outbox.push({ topic: this.dlqTopic, key: null, value, headers });
    this.metrics.count('dead_letters');
    this.metrics.count(deadLetterCounter(reason));
  }

  private contextFor(component: string): TaskContext<HandlerRegistry> {
    return {
      topology: this.topology.name,
      component,
      taskIndex: this.index,
      registry: this.registry,
      deadLetter: (reason, message, payload) => this.deadLetter(reason, message, payload),
      count: (metric, by = 1) => this.metrics.count(metric, by),
      gauge: (metric, value) => this.metrics.set(metric, value),
      states: this.services.states,
      workingSet: this.services.workingSet,
    };
  }
}
