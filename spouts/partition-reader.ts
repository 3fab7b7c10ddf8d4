import { Consumer } from '@platformatic/kafka';
import type { InputConsumer, InputConsumerOptions, InputPartition, InputRecord } from '../contracts/input-consumer';
import type { KafkaConnection } from './kafka-connection';
import { PrefetchQueue } from './prefetch-queue';

/** The parts of a Fetch response the reader reads. */
interface FetchedPartition {
  partitionIndex: number;
  errorCode: number;
  abortedTransactions?: Array<{ producerId: bigint; firstOffset: bigint }>;
  records?: Array<{
    firstOffset: bigint;
    lastOffsetDelta: number;
    attributes: number;
    producerId: bigint;
    firstTimestamp: bigint;
    maxTimestamp: bigint;
    records: Array<{ offsetDelta: number; timestampDelta: bigint; key: Buffer | null; value: Buffer | null; headers: Array<[Buffer, Buffer]> }>;
  }>;
}
interface FetchResponse {
  responses: Array<{ topicId: string; partitions: FetchedPartition[] }>;
}

/** Kafka's error codes the reader acts on. */
const OFFSET_OUT_OF_RANGE = 1;
/** The partition's leader moved or is unknown for now: fetch fresh metadata and route again. */
const ROUTE_AGAIN = new Set([3 /* UNKNOWN_TOPIC_OR_PARTITION */, 6 /* NOT_LEADER_OR_FOLLOWER */, 74 /* FENCED_LEADER_EPOCH */, 75 /* UNKNOWN_LEADER_EPOCH */, 100 /* UNKNOWN_TOPIC_ID */]);

/** Record batch attribute bits (Kafka's record batch format v2). */
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;

const READ_COMMITTED = 1;

interface PartitionState extends InputPartition {
  /** The next offset to fetch. */
  offset: bigint;
  paused: boolean;
  /** Why it cannot be read (its offset left the log); null while it can. */
  broken: string | null;
  /** The fetch round that last served it: the least recently served go first in a request. */
  served: number;
}

export interface PartitionReaderOptions extends InputConsumerOptions {
  connection: KafkaConnection;
  /** A partition that cannot be read from its position (Kafka no longer holds it): reported, and skipped from then on. */
  onUnreadable?: (topic: string, partition: number, reason: string) => void;
  /** Hand over each record's headers too (the runtime reads none). */
  withHeaders?: boolean;
}

/**
 * Reads exactly the given partitions from the given offsets, with no consumer
 * group and no coordinator: Fetch requests straight to each partition's
 * leader (routed by metadata, routed again when a leader moves). Batches are
 * handed over in offset order per partition through a bounded prefetch queue,
 * so the next fetch is in flight while this one is folded. Pause and resume
 * work per partition; data of a partition paused while its fetch was in
 * flight is dropped and fetched again from its position on resume.
 *
 * READ_COMMITTED, as Kafka's own consumers do: control batches (transaction
 * markers) and records of aborted transactions are never handed over, and
 * positions step past them.
 */
export class PartitionReader implements InputConsumer {
  lastActivityAt = Date.now();
  private readonly consumer: Consumer;
  private readonly parts = new Map<string, PartitionState>();
  private readonly prefetched: PrefetchQueue;
  private round = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: () => void = () => {};

  constructor(private readonly opts: PartitionReaderOptions) {
    // fetch() sends only Metadata and Fetch requests: the group id the constructor insists on is never used.
    this.consumer = new Consumer({
      ...opts.connection.clientOptions('tabstream-reader'),
      groupId: 'tabstream-unused',
      retries: 0,
    });
    for (const p of opts.partitions) {
      this.parts.set(`${p.topic}:${p.partition}`, { topic: p.topic, partition: p.partition, offset: BigInt(p.start), paused: false, broken: null, served: 0 });
    }
    this.prefetched = new PrefetchQueue(opts.onBatch, PREFETCH_BYTES);
  }

  async start(): Promise<void> {
    if (this.parts.size === 0) return;
    // The first metadata read tells at once whether Kafka answers (the caller bounds this).
    await this.consumer.metadata({ topics: this.topics(), forceUpdate: true });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.prefetched.stop();
    await this.loop?.catch(() => {});
    try {
      await this.consumer.close(true);
    } catch {
      // closing a client whose broker is gone
    }
  }

  pausePartitions(partitions: InputPartition[]): void {
    for (const p of partitions) {
      const state = this.parts.get(`${p.topic}:${p.partition}`);
      if (state !== undefined) state.paused = true;
    }
  }

  resumePartitions(partitions: InputPartition[]): void {
    for (const p of partitions) {
      const state = this.parts.get(`${p.topic}:${p.partition}`);
      if (state !== undefined) state.paused = false;
    }
    this.wake();
  }

  private topics(): string[] {
    return [...new Set([...this.parts.values()].map((p) => p.topic))];
  }

  private async run(): Promise<void> {
    let backoff = RETRY_FIRST_MS;
    let routed = false;
    while (!this.stopped) {
      try {
        const meta = await this.consumer.metadata({ topics: this.topics(), forceUpdate: !routed });
        routed = true;
        // Per leader, per topic id: the partitions to fetch, least recently served first (a
        // response fills up in request order, so a fixed order would starve the last ones).
        const byLeader = new Map<number, Map<string, Array<{ state: PartitionState; epoch: number }>>>();
        const byTopicId = new Map<string, string>();
        for (const state of [...this.parts.values()].sort((a, b) => a.served - b.served)) {
          if (state.paused || state.broken !== null) continue;
          const topic = meta.topics.get(state.topic);
          const pm = topic?.partitions[state.partition];
          if (topic === undefined || pm === undefined || pm.leader < 0) {
            routed = false;
            continue;
          }
          byTopicId.set(topic.id, state.topic);
          let topics = byLeader.get(pm.leader);
          if (topics === undefined) byLeader.set(pm.leader, (topics = new Map()));
          let list = topics.get(topic.id);
          if (list === undefined) topics.set(topic.id, (list = []));
          list.push({ state, epoch: pm.leaderEpoch });
        }
        if (byLeader.size === 0) {
          this.lastActivityAt = Date.now();
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, IDLE_RECHECK_MS);
          });
          continue;
        }
        // Settled one by one: a leader that is gone (killed, not yet replaced in the metadata)
        // must not hold back the records the other leaders answered with.
        const settled = await Promise.allSettled(
          [...byLeader].map(([node, topics]) =>
            (this.consumer.fetch as (options: unknown) => Promise<FetchResponse>)
              .call(this.consumer, {
                node,
                maxWaitTime: MAX_WAIT_MS,
                maxBytes: MAX_BYTES,
                isolationLevel: READ_COMMITTED,
                topics: [...topics].map(([topicId, list]) => ({
                  topicId,
                  partitions: list.map(({ state, epoch }) => ({
                    partition: state.partition,
                    fetchOffset: state.offset,
                    currentLeaderEpoch: epoch,
                    lastFetchedEpoch: -1,
                    partitionMaxBytes: PARTITION_MAX_BYTES,
                    logStartOffset: -1n,
                  })),
                })),
              })
              // An error in one partition rejects the call; its response still holds the others' records.
              .catch((err: { response?: FetchResponse }) => {
                if (err.response !== undefined) return err.response;
                throw err;
              }),
          ),
        );
        const responses = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        if (responses.length > 0) this.lastActivityAt = Date.now();
        for (const response of responses) {
          for (const topicResponse of response.responses) {
            const topic = byTopicId.get(topicResponse.topicId);
            if (topic === undefined) continue;
            for (const r of topicResponse.partitions) {
              const state = this.parts.get(`${topic}:${r.partitionIndex}`);
              if (state === undefined) continue;
              if (r.errorCode === OFFSET_OUT_OF_RANGE) {
                state.broken = `offset ${state.offset} of ${topic}:${r.partitionIndex} is no longer in Kafka's log (deleted by retention, or the topic was recreated): move the position with \`topology offsets\``;
                this.opts.onUnreadable?.(topic, r.partitionIndex, state.broken);
                continue;
              }
              if (ROUTE_AGAIN.has(r.errorCode)) {
                routed = false;
                continue;
              }
              if (r.errorCode !== 0) throw Object.assign(new Error(`fetch of ${topic}:${r.partitionIndex} failed with Kafka error ${r.errorCode}`), { retriable: true });
              await this.handOver(state, r);
            }
          }
        }
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed !== undefined) throw failed.reason; // route again from fresh metadata, after the backoff
        backoff = RETRY_FIRST_MS;
      } catch {
        if (this.stopped) break;
        // Kafka down, a broker gone, a request timed out: route again from fresh metadata, soon.
        routed = false;
        this.consumer.clearMetadata();
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }
  }

  /** The records of one partition's response, in order, past markers and aborted transactions. */
  private async handOver(state: PartitionState, r: FetchedPartition): Promise<void> {
    if (this.stopped || state.paused) return; // fetched again from its position on resume
    const records: InputRecord[] = [];
    let next = state.offset;
    // Producers whose open transaction, from this offset on, was aborted (Kafka's READ_COMMITTED rule).
    const aborted = [...(r.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    const abortedNow = new Set<bigint>();
    for (const batch of r.records ?? []) {
      const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (batchEnd > next) next = batchEnd;
      while (aborted.length > 0 && aborted[0]!.firstOffset <= batch.firstOffset + BigInt(batch.lastOffsetDelta)) abortedNow.add(aborted.shift()!.producerId);
      if ((batch.attributes & CONTROL) !== 0) {
        // A transaction marker: the transaction it ends no longer hides this producer's records.
        abortedNow.delete(batch.producerId);
        continue;
      }
      if ((batch.attributes & TRANSACTIONAL) !== 0 && abortedNow.has(batch.producerId)) continue;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < state.offset) continue; // a batch starts before the fetch offset
        // The record's own timestamp, as Kafka's clients read it: under LogAppendTime, the broker's (the batch's maximum).
        const timestamp = String((batch.attributes & LOG_APPEND_TIME) !== 0 ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta);
        records.push(
          this.opts.withHeaders === true
            ? { offset: String(offset), key: record.key, value: record.value, timestamp, headers: record.headers }
            : { offset: String(offset), key: record.key, value: record.value, timestamp },
        );
      }
    }
    if (next === state.offset) return;
    state.offset = next;
    state.served = ++this.round;
    if (records.length === 0) return;
    this.opts.onFetched?.(state.topic, state.partition, records);
    await this.prefetched.push(state.topic, state.partition, records);
  }
}

/** Fetched bytes that may wait to be folded: about one fetch besides the one in flight. */
const PREFETCH_BYTES = 4 * 1024 * 1024;
/** One fetch: the broker waits up to this long for data, and answers at most this much. */
const MAX_WAIT_MS = 100;
const MAX_BYTES = 4 * 1024 * 1024;
const PARTITION_MAX_BYTES = 1024 * 1024;
/** With every partition paused or unreadable, how often the reader looks again anyway. */
const IDLE_RECHECK_MS = 500;
/** After a failed fetch, the next try waits this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;
