/**
 * The shapes exchanged with the Redis state store: what one checkpoint of an
 * input partition writes, and what taking a partition up reads back.
 */

/** One flush of input partition `partition`: applied atomically, or not at all. */
export interface PartitionCheckpoint {
  topology: string;
  partition: number;
  /** Ownership generation; Redis refuses it when a newer one was claimed (fencing). */
  epoch: number;
  /** Offset of the last folded record of the input partition (-1 = none). */
  watermark: number;
  /** Wall-clock time of this flush, epoch ms. */
  flushedAt: number;
  /** Events folded since the previous checkpoint (added to the `events` total). */
  eventsDelta: number;
  /** Dirty states to (over)write. `bytes` start with the handler's format version. */
  states: Array<{ tab: string; client: string; bytes: Uint8Array }>;
  /** Pruned states to delete. */
  deleted: Array<{ tab: string; client: string }>;
  /** Tabs seen for the first time; a Tab's stored type is sticky. */
  types: Array<{ tab: string; type: string }>;
  /** New event ids by dedup bucket start (epoch ms of event time, a multiple of 1 min). */
  dedupAdded: Map<number, string[]>;
  /** Buckets starting before this (event time, ms) leave the dedup window and are dropped. */
  dedupExpireBefore: number;
  /** Source watermarks of repartition inputs, keyed `<topic>:<partition>`. */
  sources: Record<string, string>;
}

/** A stored state, as read back. */
export interface StoredState {
  tab: string;
  client: string;
  bytes: Buffer;
}

/** Everything a worker needs to resume input partition p. */
export interface LoadedPartition {
  /** Epoch of the last claim or write; -1 when the partition was never claimed. */
  epoch: number;
  /** -1 when nothing was ever folded. */
  watermark: number;
  events: number;
  flushedAt: number | null;
  states: StoredState[];
  types: Map<string, string>;
  /** Live dedup buckets: bucket start (ms) -> ids. */
  dedup: Map<number, string[]>;
  /** Source watermarks keyed `<topic>:<partition>`. */
  sources: Record<string, string>;
}

/** The small per-partition summary `status` shows. */
export interface PartitionMeta {
  epoch: number;
  watermark: number;
  events: number;
  flushedAt: number | null;
  sources: Record<string, string>;
}
