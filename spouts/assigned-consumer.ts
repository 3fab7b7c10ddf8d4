import { AssignerProtocol, type Consumer, type Kafka, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { PrefetchQueue } from './prefetch-queue';

export interface AssignedPartition {
  topic: string;
  partition: number;
  /** The offset to start reading from, chosen by the checkpoint protocol. */
  start: number;
}

export type BatchHandler = (topic: string, partition: number, messages: KafkaMessage[]) => Promise<void> | void;

/**
 * A KafkaJS consumer that reads exactly the partitions it is given, from the
 * offsets it is given. KafkaJS has no manual assignment (its issue #373), so
 * the consumer joins a group of its own (a fresh id: no other member, no
 * committed offsets, nothing to wait for) whose assigner hands it our list;
 * the start offsets are sought on joining. Offsets are never committed to
 * Kafka: ZooKeeper holds them, written after the Redis checkpoint.
 */
export class AssignedConsumer {
  private readonly consumer: Consumer;
  private readonly partitions: AssignedPartition[];
  /** Folding of fetched batches runs behind the fetcher, so the next fetch overlaps it. */
  private readonly prefetched: PrefetchQueue;
  private readonly positionOf?: (topic: string, partition: number) => number | undefined;
  /** When the fetch loop last showed life (a fetch started or answered, a batch handled): a stuck reader is seen by its age. */
  lastActivityAt = Date.now();

  constructor(
    kafka: Kafka,
    opts: {
      groupPrefix: string;
      partitions: AssignedPartition[];
      onBatch: BatchHandler;
      /** The next offset to read of a partition now; defaults to its `start`. */
      positionOf?: (topic: string, partition: number) => number | undefined;
      maxBytesPerPartition?: number;
    },
  ) {
    this.partitions = opts.partitions;
    this.prefetched = new PrefetchQueue(opts.onBatch, PREFETCH_BYTES);
    this.positionOf = opts.positionOf;
    const assignment: Record<string, number[]> = {};
    for (const p of opts.partitions) (assignment[p.topic] ??= []).push(p.partition);
    const assigner: PartitionAssigner = () => ({
      name: 'TabstreamZooKeeperAssignment',
      version: 1,
      protocol: ({ topics }) => ({
        name: 'TabstreamZooKeeperAssignment',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      }),
      // Only one member ever joins this group: it gets the whole list.
      assign: async ({ members }) =>
        members.map((m, i) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: i === 0 ? assignment : {},
            userData: Buffer.alloc(0),
          }),
        })),
    });
    this.consumer = kafka.consumer({
      groupId: `${opts.groupPrefix}.${randomUUID()}`,
      partitionAssigners: [assigner],
      // A fetch response is decoded in one go: keep it small enough that decoding never
      // stalls the event loop long enough to miss a ZooKeeper ping.
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
      // Reading again within a second or two of a broker's return (KafkaJS' default backoff grows to 30 s).
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  async start(): Promise<void> {
    if (this.partitions.length === 0) return;
    this.lastActivityAt = Date.now();
    const alive = (): void => void (this.lastActivityAt = Date.now());
    this.consumer.on(this.consumer.events.FETCH_START, alive);
    this.consumer.on(this.consumer.events.FETCH, alive);
    await this.consumer.connect();
    const topics = [...new Set(this.partitions.map((p) => p.topic))];
    await this.consumer.subscribe({ topics, fromBeginning: true });
    // Also on a rejoin (say the broker dropped us after a long pause): Kafka holds no
    // offsets of ours, so each partition is sought to where its task stands now.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      for (const p of this.partitions) {
        const offset = this.positionOf?.(p.topic, p.partition) ?? p.start;
        this.consumer.seek({ topic: p.topic, partition: p.partition, offset: String(offset) });
      }
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        this.lastActivityAt = Date.now();
        await this.prefetched.push(batch.topic, batch.partition, batch.messages);
        this.lastActivityAt = Date.now();
        await heartbeat();
      },
    });
  }

  /** Stops fetching these partitions (a task whose checkpoints fail: back-pressure on it alone). */
  pausePartitions(partitions: Array<{ topic: string; partition: number }>): void {
    if (partitions.length > 0) this.consumer.pause(partitions.map(({ topic, partition }) => ({ topic, partitions: [partition] })));
  }

  resumePartitions(partitions: Array<{ topic: string; partition: number }>): void {
    if (partitions.length > 0) this.consumer.resume(partitions.map(({ topic, partition }) => ({ topic, partitions: [partition] })));
  }

  /** Once this resolves no batch is handled any more. */
  async stop(): Promise<void> {
    await this.prefetched.stop();
    await this.consumer.disconnect();
  }
}

/** Fetched bytes that may wait to be folded: about one fetch (maxBytes) besides the one in flight. */
const PREFETCH_BYTES = 4 * 1024 * 1024;
