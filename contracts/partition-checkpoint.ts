/**
 * The shapes exchanged with the Redis state store: what one checkpoint of an
 * input partition writes, and what taking a partition up reads back.
 */

/** One flush of input partition `partition`: applied atomically, or not at all. */
export interface PartitionCheckpoint {
  topology: string;
  partition: number;
  /** The fencing token of the writer's claim; Redis refuses it once another claim was made. */
  token: number;
  /** Unique per write: Redis applies a write once, however often it is retried. */
  checkpointId: string;
  /** The watermark the writer's previous write (or its claim) left: Redis refuses the write when it holds another (it lost writes). */
  expectedWatermark: number;
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
  /** Every Tab's client count, when this write rebuilt the Tab records (they replace the stored counts; the write's own states then count on); else null. */
  clientCounts: Array<{ tab: string; clients: number }> | null;
}

/** A stored state, as read back. */
export interface StoredState {
  tab: string;
  client: string;
  bytes: Buffer;
}

/** What a task folds into a checkpoint; the runner adds its claim's token and the write's identity. */
export type TaskCheckpoint = Omit<PartitionCheckpoint, 'token' | 'checkpointId' | 'expectedWatermark'>;

/** Everything a worker needs to resume input partition p. */
export interface LoadedPartition extends PartitionMeta {
  states: StoredState[];
  types: Map<string, string>;
  /** Live dedup buckets: bucket start (ms) -> ids. */
  dedup: Map<number, string[]>;
  /** The Tab records and client counts agree with the states (else the taker rebuilds them). */
  recordsCurrent: boolean;
  /**
   * Redis held no state and no Tab type of the partition when it was loaded
   * (after the claim, which fences any earlier owner): until this owner lets
   * a state it wrote go from memory, a state it does not hold is new, and
   * asking Redis for it is a round trip for nothing. Absent: not known.
   */
  nothingStored?: boolean;
}

/** The small per-partition summary `status` shows. */
export interface PartitionMeta {
  /** Assignment generation of the last claim; -1 when never claimed. */
  generation: number;
  /** Fencing token of the last claim; -1 when never claimed. */
  token: number;
  /** Offset of the last folded record; -1 when nothing was ever folded. */
  watermark: number;
  events: number;
  flushedAt: number | null;
  sources: Record<string, string>;
  /** The last operator's move of the position (`topology offsets --execute`), if any. */
  moved?: PositionMoveRecord;
  /** The watermark the Tab records and client counts agree with the states at; null when none was ever written. */
  recordsAt: number | null;
}

/** `moved_at`, `moved_from`, `moved_to`, `moved_reset` of the meta hash. */
export interface PositionMoveRecord {
  at: number;
  /** Positions (watermark + 1) before and after the move. */
  from: number;
  to: number;
  /** The partition's state was deleted with the move (rebuilt from `to` on). */
  reset: boolean;
}
