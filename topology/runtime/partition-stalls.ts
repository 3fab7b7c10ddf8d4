import type { Logger } from 'pino';

/** Why an owned partition is not moving, since when, and how many times in a row it failed. */
export interface Stall {
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

  constructor(private readonly log: Logger) {}

  set(partition: number, reason: string, now = Date.now()): void {
    const known = this.byPartition.get(partition);
    this.byPartition.set(partition, { reason, since: known?.since ?? now, attempts: (known?.attempts ?? 0) + 1 });
    if (this.stalledSince === null) {
      this.stalledSince = now;
      this.log.warn({ partition, reason }, 'checkpoints stalled');
    }
  }

  clear(partition: number, now = Date.now()): void {
    if (!this.byPartition.delete(partition)) return;
    if (this.byPartition.size === 0 && this.stalledSince !== null) {
      this.log.info({ stalledMs: now - this.stalledSince }, 'checkpoints resumed');
      this.stalledSince = null;
    }
  }

  clearAll(): void {
    this.byPartition.clear();
    this.stalledSince = null;
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
