// The runner's services as fakes in memory, for its unit tests (no services).
// The fake store applies a write only under the current token and watermark,
// as checkpoint.lua does, and counts the events each applied write carries,
// so "exactly once" is checked by the sum.
import pino, { type Logger } from 'pino';
import buildTaba from '../../topology/builtin/taba';
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';
import { partitionForKey } from '../../client/partition-for-key';
import { FencedError, StateLostError } from '../../state/errors';
import type { RetryPolicy } from '../../topology/retry-policy';
import type { LoadedPartition, PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import type { OutboxMessage } from '../../topology/runtime/outbox';
import type { RunnerOutbox, RunnerStateStore } from '../../topology/runtime/runner-ports';
import type { InputConsumer, InputConsumerOptions, InputPartition, InputRecord } from '../../contracts/input-consumer';
import { TopologyRunner } from '../../topology/runtime/topology-runner';
import type { WorkingSet } from '../../contracts/working-set';

export const PARTITIONS = 2;
export const TOPIC = 'tabs';
export const now = Date.now();

/** A Tab that Kafka's partitioner puts on `partition`, so it folds where it is read. */
export function tabOn(partition: number): string {
  for (let i = 0; ; i++) if (partitionForKey(`t${i}`, PARTITIONS) === partition) return `t${i}`;
}
export const counter = (partition: number, offset: number, events = 1): InputRecord => ({
  offset: String(offset),
  key: Buffer.from(tabOn(partition)),
  value: Buffer.from(JSON.stringify(Array.from({ length: events }, () => ({ tab: tabOn(partition), type: 'counter', value: 1, time: now, client: 'c' })))),
  timestamp: String(now),
});
export const records = (partition: number, from: number, to: number): InputRecord[] => Array.from({ length: to - from + 1 }, (_, i) => counter(partition, from + i));

export const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

export class FakeStore implements RunnerStateStore {
  readonly meta = new Map<number, { generation: number; token: number; watermark: number; checkpoint: string; events: number; recordsAt: number | null }>();
  claims = 0;
  /** Called before a write is applied: throw to refuse it, await to hold it. */
  beforeWrite: (cp: PartitionCheckpoint) => Promise<void> | void = () => {};

  private of(p: number) {
    let m = this.meta.get(p);
    if (m === undefined) this.meta.set(p, (m = { generation: -1, token: 0, watermark: -1, checkpoint: '', events: 0, recordsAt: null }));
    return m;
  }

  async claim(topology: string, partition: number, generation: number, lastToken = 0) {
    this.claims++;
    const m = this.of(partition);
    if (m.generation > generation) throw new FencedError(topology, partition, m.generation, generation);
    m.generation = generation;
    m.token = Math.max(m.token, lastToken) + 1;
    return { token: m.token, watermark: m.watermark };
  }

  /** How many times the runner read its idle partitions' positions. */
  positionReads = 0;

  async readPositions(_topology: string, partitions: readonly number[]) {
    this.positionReads++;
    return partitions.map((p) => ({ token: this.of(p).token, watermark: this.of(p).watermark }));
  }

  async write(cp: PartitionCheckpoint): Promise<boolean> {
    await this.beforeWrite(cp);
    const m = this.of(cp.partition);
    if (m.checkpoint === cp.checkpointId) return false;
    if (m.token > cp.token) throw new FencedError(cp.topology, cp.partition, m.token, cp.token);
    if (m.token < cp.token || m.watermark !== cp.expectedWatermark) throw new StateLostError(cp.topology, cp.partition, m.watermark, cp.expectedWatermark);
    m.watermark = cp.watermark;
    m.checkpoint = cp.checkpointId;
    m.events += cp.eventsDelta;
    // As checkpoint.lua: the write's Tab records agree with its states at its watermark.
    m.recordsAt = cp.watermark;
    const states = this.statesOf(cp.partition);
    for (const st of cp.states) states.set(`${st.tab}\u0000${st.client}`, Buffer.from(st.bytes));
    for (const st of cp.deleted) states.delete(`${st.tab}\u0000${st.client}`);
    for (const t of cp.types) if (!this.types.has(t.tab)) this.types.set(t.tab, t.type);
    return true;
  }

  /** Stored states by partition, and Tab types (Redis's `states` and `types` hashes). */
  readonly states = new Map<number, Map<string, Buffer>>();
  readonly types = new Map<string, string>();

  private statesOf(p: number): Map<string, Buffer> {
    let m = this.states.get(p);
    if (m === undefined) this.states.set(p, (m = new Map()));
    return m;
  }

  async scanStatesPage(_topology: string, partition: number, cursor: string, count: number) {
    const all = [...this.statesOf(partition)];
    const from = Number(cursor);
    const page = all.slice(from, from + count).map(([field, bytes]) => {
      const [tab, client] = field.split('\u0000') as [string, string];
      return { tab, client, type: this.types.get(tab) ?? null, bytes };
    });
    return { cursor: from + count >= all.length ? '0' : String(from + count), states: page };
  }

  /** States the runner's tasks asked for (fetches). */
  statesAsked = 0;

  async fetchStates(_topology: string, partition: number, states: ReadonlyArray<{ tab: string; client: string }>, tabs: readonly string[]) {
    this.statesAsked += states.length;
    const stored = this.statesOf(partition);
    return {
      states: states.map((st) => stored.get(`${st.tab}\u0000${st.client}`) ?? null),
      types: tabs.map((tab) => this.types.get(tab) ?? null),
    };
  }

  async load(_topology: string, partition: number): Promise<LoadedPartition> {
    const m = this.of(partition);
    const recordsCurrent = m.recordsAt === null ? this.statesOf(partition).size === 0 : m.recordsAt === m.watermark;
    // As Redis's HLEN of the partition's states and types (types are kept for all partitions here: any counts).
    const nothingStored = this.statesOf(partition).size === 0 && this.types.size === 0;
    return { generation: m.generation, token: m.token, watermark: m.watermark, events: m.events, flushedAt: null, states: [], types: new Map(), dedup: new Map(), sources: {}, recordsAt: m.recordsAt, recordsCurrent, nothingStored };
  }
}

export class FakeOutbox implements RunnerOutbox {
  readonly messages: OutboxMessage[] = [];
  push: (m: OutboxMessage) => void = (m) => void this.messages.push(m);
  async connect() {}
  async drain() {}
  async close() {}
}

export class FakeConsumer implements InputConsumer {
  readonly paused = new Set<number>();
  lastActivityAt = Date.now();
  started = false;
  stopped = false;
  constructor(readonly opts: InputConsumerOptions) {}
  async start() {
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
  pausePartitions(ps: InputPartition[]) {
    for (const p of ps) this.paused.add(p.partition);
  }
  resumePartitions(ps: InputPartition[]) {
    for (const p of ps) this.paused.delete(p.partition);
  }
  /** Where the reader starts partition `p`. */
  startOf(p: number): number | undefined {
    return this.opts.partitions.find((x) => x.partition === p)?.start;
  }
  /** Hands a batch over as the Kafka reader would (nothing once stopped, or for a paused partition). */
  async deliver(partition: number, batch: InputRecord[]): Promise<void> {
    if (!this.started || this.stopped || this.paused.has(partition)) return;
    this.lastActivityAt = Date.now();
    this.opts.onFetched?.(TOPIC, partition, batch);
    await this.opts.onBatch(TOPIC, partition, batch);
  }
}

export function setup(opts: { workingSet?: WorkingSet; checkpointRetry?: RetryPolicy; registry?: HandlerRegistry; log?: Logger } = {}) {
  const store = new FakeStore();
  const outbox = new FakeOutbox();
  const consumers: FakeConsumer[] = [];
  /** The offsets the runner mirrored to "ZooKeeper", in order: [partition, next offset, when (Date.now())]. */
  const mirrored: Array<[number, number, number]> = [];
  const runner = new TopologyRunner({
    store,
    offsets: { get: async () => null, commit: async (_topology, _topic, partition, offset) => void mirrored.push([partition, offset, Date.now()]), reset: async () => {} },
    outbox,
    consumers: (opts) => {
      const c = new FakeConsumer(opts);
      consumers.push(c);
      return c;
    },
    registry: opts.registry ?? defaultRegistry(),
    topology: buildTaba({ name: 'unit', topic: TOPIC }),
    partitions: PARTITIONS,
    workerId: 'w',
    flushIntervalMs: 3_600_000, // rounds run when a test calls flush()
    specVersion: 1,
    log: opts.log ?? pino({ level: 'silent' }),
    workingSet: opts.workingSet,
    // A failed write is tried again at the next flush() a test calls, unless a test says otherwise.
    checkpointRetry: opts.checkpointRetry ?? { initialMs: 0, maxMs: 0 },
  });
  const reader = (): FakeConsumer => consumers[consumers.length - 1]!;
  return { store, outbox, consumers, runner, reader, mirrored };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
