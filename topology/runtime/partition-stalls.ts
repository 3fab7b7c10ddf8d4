import type { Logger } from 'pino';

/** What kind of trouble holds a partition: a small, fixed set (a metric label). */
export type StallKind =
  /** Its checkpoint write failed (Redis down or refusing); retried every flush interval, the partition paused. */
  | 'checkpoint_failed'
  /** Kafka did not take the forwards and dead letters its checkpoint covers. */
  | 'outbox_failed'
  /** It could not be claimed or loaded (a service down); retried. */
  | 'take_up_failed'
  /** A newer claim holds it; taken up again while still assigned here. */
  | 'fenced'
  /** Redis lost this owner's acknowledged writes; taken up again from Redis's watermark. */
  | 'state_lost'
  /** The states a slice of records needed could not be fetched from Redis; taken up again from Redis's watermark. */
  | 'state_fetch_failed'
  /** A record could not be processed at all (a bug); taken up again from Redis's watermark. */
  | 'record_failed'
  /** A newer assignment claimed it; waiting for that assignment to arrive. */
  | 'newer_assignment'
  /** The Kafka reader stopped fetching (Kafka down, or the client stuck); it is being replaced. */
  | 'reader_stalled'
  /** Kafka no longer holds the partition's position (retention deleted it, the topic was recreated): an operator moves it. */
  | 'input_unreadable';

/** Why an owned partition is not moving, since when, and how many times in a row it failed. */
export interface Stall {
  kind: StallKind;
  reason: string;
  since: number;
  attempts: number;
}

/**
 * The owned partitions of one runner that are not moving, with their reason,
 * for `status`, `/metrics` and the dashboard. Logs one line when the first
 * partition stalls and one when the last resumes, however long it lasts and
 * however often the stalled writes are retried meanwhile; likewise for the
 * ZooKeeper offset mirror falling behind and catching up.
 */
export class PartitionStalls {
  private readonly byPartition = new Map<number, Stall>();
  private stalledSince: number | null = null;
  private mirror: { reason: string; since: number } | null = null;

  /** `changed` is called after every change of a partition's stall (the worker publishes its health then). */
  constructor(
    private readonly log: Logger,
    private readonly changed: () => void = () => {},
  ) {}

  set(partition: number, kind: StallKind, reason: string, now = Date.now()): void {
    const known = this.byPartition.get(partition);
    this.byPartition.set(partition, { kind, reason, since: known?.since ?? now, attempts: (known?.attempts ?? 0) + 1 });
    if (this.stalledSince === null) {
      this.stalledSince = now;
      this.log.warn({ partition, kind, reason }, 'checkpoints stalled');
    }
    if (known?.kind !== kind || known.reason !== reason) this.changed();
  }

  clear(partition: number, now = Date.now()): void {
    if (!this.byPartition.delete(partition)) return;
    if (this.byPartition.size === 0 && this.stalledSince !== null) {
      this.log.info({ stalledMs: now - this.stalledSince }, 'checkpoints resumed');
      this.stalledSince = null;
    }
    this.changed();
  }

  clearAll(): void {
    const had = this.byPartition.size > 0;
    this.byPartition.clear();
    this.stalledSince = null;
    if (had) this.changed();
  }

  get(partition: number): Stall | undefined {
    return this.byPartition.get(partition);
  }

  partitions(): number[] {
    return [...this.byPartition.keys()];
  }

  entries(): Array<[number, Stall]> {
    return [...this.byPartition];
  }

  /** The ZooKeeper mirror of the offsets is behind Redis (not a stall: Redis's watermark is the truth). */
  mirrorBehind(reason: string, now = Date.now()): void {
    if (this.mirror !== null) return;
    this.mirror = { reason, since: now };
    this.log.warn({ reason }, 'ZooKeeper offset mirror behind');
  }

  mirrorCaughtUp(now = Date.now()): void {
    if (this.mirror === null) return;
    this.log.info({ behindMs: now - this.mirror.since }, 'ZooKeeper offset mirror caught up');
    this.mirror = null;
  }

  get mirrorLag(): { reason: string; since: number } | null {
    return this.mirror;
  }
}
