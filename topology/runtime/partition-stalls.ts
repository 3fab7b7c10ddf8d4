import type { Notify } from './runner-events';

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
 * for `status` and the dashboard (the worker's health). Emits `stalled` when
 * a partition starts stalling or its reason changes (saying whether it is the
 * runner's first), `resumed` when it moves again (saying whether it was the
 * last), never once per retry; likewise `mirror_behind` and
 * `mirror_caught_up` for the ZooKeeper offset mirror. The log says one line
 * for the first and one for the last (runner-log.ts).
 */
export class PartitionStalls {
  private readonly byPartition = new Map<number, Stall>();
  private stalledSince: number | null = null;
  private mirror: { reason: string; since: number } | null = null;

  constructor(private readonly notify: Notify) {}

  set(partition: number, kind: StallKind, reason: string, now = Date.now()): void {
    const known = this.byPartition.get(partition);
    const since = known?.since ?? now;
    this.byPartition.set(partition, { kind, reason, since, attempts: (known?.attempts ?? 0) + 1 });
    const first = this.stalledSince === null;
    if (first) this.stalledSince = now;
    if (known?.kind !== kind || known.reason !== reason) this.notify('stalled', { partition, kind, reason, since, first });
  }

  clear(partition: number, now = Date.now()): void {
    if (!this.byPartition.delete(partition)) return;
    const last = this.byPartition.size === 0;
    const stalledMs = this.stalledSince === null ? 0 : now - this.stalledSince;
    if (last) this.stalledSince = null;
    this.notify('resumed', { partition, last, stalledMs });
  }

  /** The runner stops: every stall ends, without a `last` (nothing resumed). */
  clearAll(): void {
    const partitions = [...this.byPartition.keys()];
    this.byPartition.clear();
    this.stalledSince = null;
    for (const partition of partitions) this.notify('resumed', { partition, last: false, stalledMs: 0 });
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
    this.notify('mirror_behind', this.mirror);
  }

  mirrorCaughtUp(now = Date.now()): void {
    if (this.mirror === null) return;
    const behindMs = now - this.mirror.since;
    this.mirror = null;
    this.notify('mirror_caught_up', { behindMs });
  }

  get mirrorLag(): { reason: string; since: number } | null {
    return this.mirror;
  }
}
