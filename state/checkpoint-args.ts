import type { PartitionCheckpoint } from './partition-checkpoint';
import { stateField } from './redis-keys';

/** Dedup buckets span one minute of event time. */
export const DEDUP_BUCKET_MS = 60_000;

/**
 * When Redis may drop a dedup bucket's SET on its own: the end of its life in
 * the window (start + bucket + window), never sooner than a window after this
 * flush (so replays of old event time keep theirs), plus a grace period.
 * Writers drop buckets themselves as the window moves on (by event time);
 * the key expiry only collects buckets of partitions nobody writes any more,
 * so the grace keeps a partition that is down for a while from losing them.
 */
export function dedupBucketExpireAt(
  bucketStart: number,
  flushedAt: number,
  windowMs: number,
  graceMs: number,
): number {
  return Math.max(bucketStart + DEDUP_BUCKET_MS + windowMs, flushedAt + windowMs) + graceMs;
}

/** ARGV of checkpoint.lua, in the order its header documents. */
export function checkpointArgs(cp: PartitionCheckpoint, dedupGraceMs: number): Array<string | Buffer> {
  const args: Array<string | Buffer> = [
    String(cp.token),
    String(cp.watermark),
    String(cp.flushedAt),
    String(cp.eventsDelta),
    String(cp.dedupExpireBefore),
    String(cp.states.length),
    String(cp.deleted.length),
    String(cp.types.length),
    String(cp.dedupAdded.size),
    String(Object.keys(cp.sources).length),
    cp.checkpointId,
    String(cp.expectedWatermark),
  ];
  for (const s of cp.states) {
    args.push(stateField(s.tab, s.client), Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength));
  }
  for (const d of cp.deleted) args.push(stateField(d.tab, d.client));
  for (const t of cp.types) args.push(t.tab, t.type);
  for (const [bucketStart, ids] of cp.dedupAdded) {
    const expireAt = dedupBucketExpireAt(bucketStart, cp.flushedAt, cp.dedupTtlMs, dedupGraceMs);
    args.push(String(bucketStart), String(expireAt), String(ids.length));
    for (const id of ids) args.push(id);
  }
  for (const [name, watermark] of Object.entries(cp.sources)) args.push(name, watermark);
  return args;
}
