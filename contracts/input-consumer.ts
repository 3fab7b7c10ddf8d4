// What a spout's reader is to the runtime: it reads exactly the partitions it
// is given, from the given offsets, and hands their records over in order.
// spouts/partition-reader.ts implements it on Kafka; the runner's unit tests
// on fakes.

/** A record as the Kafka input hands it over. */
export interface InputRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  /** Only where asked for (PartitionReader's `withHeaders`): the runtime reads none. */
  headers?: Array<[Buffer, Buffer]>;
}

export interface InputPartition {
  topic: string;
  partition: number;
}

/** Reads exactly the given partitions from the given offsets and hands batches over in order. */
export interface InputConsumer {
  start(): Promise<void>;
  /** Once this resolves no batch is handed over any more. */
  stop(): Promise<void>;
  pausePartitions(partitions: InputPartition[]): void;
  resumePartitions(partitions: InputPartition[]): void;
  /** When its fetch loop last showed life (epoch ms). */
  readonly lastActivityAt: number;
}

export interface InputConsumerOptions {
  partitions: Array<InputPartition & { start: number }>;
  /**
   * Each partition's records, in order. Calls for one partition number (of
   * any topic: a task reads partition p of each of its inputs) never overlap;
   * calls for different numbers may.
   */
  onBatch: (topic: string, partition: number, records: InputRecord[]) => Promise<void>;
  /** Told of each batch as it comes from Kafka, before it waits its turn for `onBatch` (for the records' latency). */
  onFetched?: (topic: string, partition: number, records: readonly InputRecord[]) => void;
  /** A partition that cannot be read from its position (Kafka no longer holds it): the reader skips it from then on. */
  onUnreadable?: (topic: string, partition: number, reason: string) => void;
}

export type InputConsumerFactory = (opts: InputConsumerOptions) => InputConsumer;
